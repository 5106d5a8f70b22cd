import { isDns1123Label } from './dns-names.js';
import { childPath, readList, readString, show } from './json-shape.js';
import { DOCUMENT_LIMITS } from './limits.js';
import type { ProblemSink } from './problem-sink.js';

/**
 * Parses the required `namespaces` list: at least one DNS-1123 label. A namespace listed
 * twice is a DUPLICATE_NAMESPACE warning. Returns the valid namespaces, sorted and unique.
 */
export function parseNamespaces(value: unknown, path: string, sink: ProblemSink): string[] {
  if (value === undefined) {
    sink.error(path, 'REQUIRED');
    return [];
  }
  const list = readList(value, path, sink, {
    expected: 'a list of strings',
    max: DOCUMENT_LIMITS.namespaces,
    nonEmpty: true,
  });
  if (!list) return [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const itemPath = childPath(path, i);
    const ns = readString(list[i], itemPath, sink);
    if (ns === undefined) continue;
    if (seen.has(ns)) {
      sink.warn(itemPath, 'DUPLICATE_NAMESPACE', { value: show(ns) });
      continue;
    }
    seen.add(ns);
    if (!isDns1123Label(ns)) sink.error(itemPath, 'INVALID_NAMESPACE', { value: show(ns) });
  }
  return [...seen].filter(isDns1123Label).sort();
}
