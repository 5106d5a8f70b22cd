import { stringify } from 'yaml';
import { warningTexts, yamlWarningComments } from './warnings.js';

/** Multi-document YAML, one object per document; shared sub-objects are written out, never aliased. */
export function toMultiDocumentYaml(items: unknown[]): string {
  return items
    .map((item) => stringify(item, { aliasDuplicateObjects: false, lineWidth: 0 }))
    .map((doc) => `---\n${doc}`)
    .join('');
}

/**
 * An `{ items, warnings }` answer as the API sends it to `Accept: application/yaml` (and the
 * CLI prints it): one `# Warning: <path>: <message>` comment per warning, then the items as
 * multi-document YAML for `kubectl apply -f -`.
 */
export function yamlAnswer(body: { items: unknown[]; warnings?: unknown }): string {
  return yamlWarningComments(warningTexts(body)) + toMultiDocumentYaml(body.items);
}
