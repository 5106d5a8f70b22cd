import { readFileSync } from 'node:fs';

/** The shape of the shared MMS example (src/core/compiler/golden/example.document.json). */
export interface ExampleDocument {
  namespaces: string[];
  contracts: Record<
    string,
    {
      provide_networks?: string[];
      consume_networks?: string[];
      ports?: { protocol: string; port: string }[];
    }
  >;
  expose: unknown[];
  [field: string]: unknown;
}

/** A fresh copy of the shared MMS example document, for a test to adapt. */
export function loadExampleDocument(): ExampleDocument {
  return JSON.parse(
    readFileSync(
      new URL('../../src/core/compiler/golden/example.document.json', import.meta.url),
      'utf8',
    ),
  ) as ExampleDocument;
}
