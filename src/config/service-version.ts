import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node.js versions package.json's `engines.node` admits (`^24.15.0 || >=26.0.0`). */
export function nodeVersionSupported(version: string = process.versions.node): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return (major === 24 && minor >= 15) || major >= 26;
}

let cached: string | undefined;

/**
 * The `version` of gbp-netpol's package.json, found by walking up from this file: it sits
 * beside src/ and dist/ alike (and above the test build in node_modules/.cache).
 */
export function serviceVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'gbp-netpol' && typeof manifest.version === 'string')
        return (cached = manifest.version);
    }
    const parent = dirname(dir);
    if (parent === dir) return (cached = '0.0.0-unknown');
    dir = parent;
  }
}
