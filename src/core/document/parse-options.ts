import { childPath, isPlainObject, readEnum, readFields, readString, show } from './json-shape.js';
import { isValidLabelKey } from './label-key.js';
import type { ProblemSink } from './problem-sink.js';
import { DEFAULT_OPTIONS, type DocumentOptions } from './policy-document.types.js';

export const PROVIDER_ACCESS_VALUES = ['full', 'none'] as const;
export const PEER_NAMESPACES_VALUES = ['any', 'listed'] as const;
export const INTRA_NETWORK_VALUES = ['allow', 'isolate'] as const;
export const EGRESS_VALUES = ['unrestricted', 'enforce'] as const;

const OPTION_FIELDS: ReadonlySet<string> = new Set([
  'label_key',
  'provider_access',
  'peer_namespaces',
  'intra_network',
  'egress',
]);

/** Parses the optional `options` object; every option absent or invalid keeps its default. */
export function parseOptions(value: unknown, path: string, sink: ProblemSink): DocumentOptions {
  const options: DocumentOptions = { ...DEFAULT_OPTIONS };
  if (value === undefined) return options;
  if (!isPlainObject(value)) {
    sink.error(path, 'TYPE_MISMATCH', { expected: 'an object' });
    return options;
  }
  const fields = readFields(value, path, OPTION_FIELDS, sink);

  if (fields.has('label_key')) {
    const keyPath = childPath(path, 'label_key');
    const key = readString(fields.get('label_key'), keyPath, sink);
    if (key !== undefined) {
      if (isValidLabelKey(key)) options.labelKey = key;
      else sink.error(keyPath, 'INVALID_LABEL_KEY', { value: show(key) });
    }
  }
  const enumOption = <T extends string>(field: string, allowed: readonly T[]): T | undefined =>
    fields.has(field)
      ? readEnum(fields.get(field), childPath(path, field), allowed, sink)
      : undefined;

  options.providerAccess =
    enumOption('provider_access', PROVIDER_ACCESS_VALUES) ?? options.providerAccess;
  options.peerNamespaces =
    enumOption('peer_namespaces', PEER_NAMESPACES_VALUES) ?? options.peerNamespaces;
  options.intraNetwork = enumOption('intra_network', INTRA_NETWORK_VALUES) ?? options.intraNetwork;
  options.egress = enumOption('egress', EGRESS_VALUES) ?? options.egress;
  return options;
}
