import { childPath, nestingDepthExceeds, type OwnFields } from './json-shape.js';
import { DOCUMENT_LIMITS } from './limits.js';
import type { ProblemSink } from './problem-sink.js';

/** The ACI source-port fields; NetworkPolicy matches destination ports only. */
export const SOURCE_PORT_FIELDS = ['source_port', 'source_ports'] as const;

/** The ACI fields about established connections; NetworkPolicy is stateful anyway. */
export const ESTABLISHED_FIELDS = ['established', 'stateful'] as const;

/**
 * `source_port` / `source_ports` accept any JSON value (they are ignored, with a warning),
 * except one nested deeper than the cap, which is an error (NESTING_TOO_DEEP).
 */
export function checkSourcePortFields(fields: OwnFields, path: string, sink: ProblemSink): void {
  for (const field of SOURCE_PORT_FIELDS) {
    if (!fields.has(field)) continue;
    const fieldPath = childPath(path, field);
    if (nestingDepthExceeds(fields.get(field), DOCUMENT_LIMITS.nestingDepth)) {
      sink.error(fieldPath, 'NESTING_TOO_DEEP', { max: DOCUMENT_LIMITS.nestingDepth });
    } else {
      sink.warn(fieldPath, 'IGNORED_SOURCE_PORT', { field });
    }
  }
}

/** `established` / `stateful` must be booleans; either way they are ignored, with a warning. */
export function checkEstablishedFields(fields: OwnFields, path: string, sink: ProblemSink): void {
  for (const field of ESTABLISHED_FIELDS) {
    if (!fields.has(field)) continue;
    const fieldPath = childPath(path, field);
    if (typeof fields.get(field) !== 'boolean') {
      sink.error(fieldPath, 'TYPE_MISMATCH', { expected: 'true or false' });
    } else {
      sink.warn(fieldPath, 'IGNORED_ESTABLISHED', { field });
    }
  }
}
