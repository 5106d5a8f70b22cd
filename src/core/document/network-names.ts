import { isDns1123Label } from './dns-names.js';
import { childPath, readList, readString, show } from './json-shape.js';
import { DOCUMENT_LIMITS } from './limits.js';
import type { ProblemSink } from './problem-sink.js';

/** The original aci2k8s conversion of an MMS network name: every `_` becomes `-`. */
export function convertNetworkName(original: string): string {
  return original.replaceAll('_', '-');
}

/**
 * A test for "this string item already occurred earlier in the list" (for items of at most
 * the string cap), to be called once per index in order. Short lists (the usual case) are
 * scanned without allocating a Set; longer ones use one, so it stays linear.
 */
function duplicateFinder(list: readonly unknown[]): (item: unknown, index: number) => boolean {
  const isCandidate = (item: unknown): item is string =>
    typeof item === 'string' && item.length <= DOCUMENT_LIMITS.stringLength;
  if (list.length <= 16) {
    return (item, index) => isCandidate(item) && list.indexOf(item) < index;
  }
  const seen = new Set<string>();
  return (item) => {
    if (!isCandidate(item)) return false;
    if (seen.has(item)) return true;
    seen.add(item);
    return false;
  };
}

/** What one original spelling turned out to be (computed once per spelling). */
interface Spelling {
  converted: string;
  valid: boolean;
  /** The first, different spelling that converts to the same name, if any. */
  collidesWith?: string;
}

/**
 * The networks of one document. Every occurrence of a network name is registered here, so
 * that the document's network set is known and two different spellings that convert to the
 * same name (`web_a`, `web-a`) are caught wherever they occur. Linear: each occurrence costs
 * one Map lookup; each distinct spelling is converted and validated once.
 */
export class NetworkNames {
  /** Converted name → the first original spelling seen for it (valid names only). */
  private readonly firstSpelling = new Map<string, string>();
  private readonly spellings = new Map<string, Spelling>();

  private classify(original: string): Spelling {
    let s = this.spellings.get(original);
    if (s) return s;
    const converted = convertNetworkName(original);
    s = { converted, valid: isDns1123Label(converted) };
    if (s.valid) {
      const first = this.firstSpelling.get(converted);
      if (first === undefined) this.firstSpelling.set(converted, original);
      else s.collidesWith = first;
    }
    this.spellings.set(original, s);
    return s;
  }

  /**
   * Registers one occurrence of a network name, found at `childPath(base, token)` (built
   * only when there is something to report). Returns the converted name, or undefined when
   * it was rejected (not a string, too long, invalid, or a collision), each reported at this
   * occurrence's path.
   */
  register(value: unknown, base: string, token: string | number, sink: ProblemSink): string | undefined {
    if (typeof value !== 'string' || value.length > DOCUMENT_LIMITS.stringLength) {
      readString(value, childPath(base, token), sink);
      return undefined;
    }
    const s = this.classify(value);
    if (!s.valid) {
      sink.error(childPath(base, token), 'INVALID_NETWORK_NAME', {
        value: show(value),
        converted: show(s.converted),
      });
      return undefined;
    }
    if (s.collidesWith !== undefined) {
      sink.error(childPath(base, token), 'NETWORK_NAME_COLLISION', {
        value: show(value),
        converted: show(s.converted),
        other: show(s.collidesWith),
      });
      return undefined;
    }
    return s.converted;
  }

  /**
   * Reads a required, non-empty list of network names (a contract's provide_networks or
   * consume_networks). A spelling listed twice is a DUPLICATE_NETWORK warning. Returns the
   * converted names, sorted and unique (only the valid ones).
   */
  registerList(value: unknown, path: string, sink: ProblemSink): string[] {
    if (value === undefined) {
      sink.error(path, 'REQUIRED');
      return [];
    }
    const list = readList(value, path, sink, {
      expected: 'a list of strings',
      max: DOCUMENT_LIMITS.networksPerList,
      nonEmpty: true,
    });
    if (!list) return [];
    const isDuplicate = duplicateFinder(list);
    const out: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (isDuplicate(item, i)) {
        sink.warn(childPath(path, i), 'DUPLICATE_NETWORK', { value: show(item) });
        continue;
      }
      const converted = this.register(item, path, i, sink);
      if (converted !== undefined) out.push(converted);
    }
    // Distinct valid spellings convert to distinct names (else it is a collision error).
    return out.sort();
  }

  /** Every valid network registered so far, sorted. */
  sorted(): string[] {
    return [...this.firstSpelling.keys()].sort();
  }
}
