import { isDns1123Label } from './dns-names.js';
import { childPath, readList, readString, show } from './json-shape.js';
import { DOCUMENT_LIMITS } from './limits.js';
import type { ProblemSink } from './problem-sink.js';

/** The original aci2k8s conversion of an MMS network name: every `_` becomes `-`. */
export function convertNetworkName(original: string): string {
  return original.replaceAll('_', '-');
}

const LIST_SHAPE = {
  expected: 'a list of strings',
  max: DOCUMENT_LIMITS.networksPerList,
  nonEmpty: true,
} as const;

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
  register(
    value: unknown,
    base: string,
    token: string | number,
    sink: ProblemSink,
  ): string | undefined {
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
   * converted names of the valid ones, sorted and unique.
   */
  registerList(value: unknown, path: string, sink: ProblemSink): string[] {
    if (value === undefined) {
      sink.error(path, 'REQUIRED');
      return [];
    }
    const list = readList(value, path, sink, LIST_SHAPE);
    if (!list) return [];
    // Short lists (the usual case) are searched in place; longer ones use a Set (linear).
    const seen = list.length > 16 ? new Set<string>() : undefined;
    const out: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (typeof item === 'string' && item.length <= DOCUMENT_LIMITS.stringLength) {
        if (seen ? seen.has(item) : list.indexOf(item) < i) {
          sink.warn(childPath(path, i), 'DUPLICATE_NETWORK', { value: show(item) });
          continue;
        }
        seen?.add(item);
      }
      const converted = this.register(item, path, i, sink);
      if (converted !== undefined) out.push(converted);
    }
    // Distinct valid spellings convert to distinct names (else it is a collision error).
    return out.length > 1 ? out.sort() : out;
  }

  /** Every valid network registered so far, sorted. */
  sorted(): string[] {
    return [...this.firstSpelling.keys()].sort();
  }
}
