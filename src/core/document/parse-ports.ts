import { PROTOCOLS, type Protocol } from '../kube/network-policy.types.js';
import { MAX_PORT, MIN_PORT, type PortSpec } from '../ports/port-set.js';
import { checkSourcePortFields, SOURCE_PORT_FIELDS } from './aci-fields.js';
import { childPath, isPlainObject, readFields, readList, readString, show } from './json-shape.js';
import { DOCUMENT_LIMITS } from './limits.js';
import { compareCodeUnits } from './ordering.js';
import type { ProblemSink } from './problem-sink.js';

const PORT_FIELDS: ReadonlySet<string> = new Set(['protocol', 'port', ...SOURCE_PORT_FIELDS]);

/**
 * Case-insensitive, ASCII only: a regex without the `u` flag never folds a non-ASCII letter
 * onto an ASCII one, whereas `'ſctp'.toUpperCase()` is `'SCTP'`.
 */
const PROTOCOL_TEXT = /^(tcp|udp|sctp)$/i;

/** Plain decimal: digits, no sign, no leading zero (`023` is octal 19 to some readers). */
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const NEGATIVE_DECIMAL = /^-[0-9]+$/;
const RANGE = /^(0|[1-9][0-9]*)-(0|[1-9][0-9]*)$/;
const SVC_NAME_CHARS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HAS_LETTER = /[a-z]/;

const TYPE_EXPECTED = 'a port number (1-65535), a range string "low-high" or a named port';
/** INVALID_PORT's {detail} for a number written in another notation than plain decimal. */
const NOT_PLAIN_DECIMAL =
  '; numbers must be plain decimal (no sign, leading zero, exponent, hex, fraction or spaces)';

/**
 * A Kubernetes named port (IANA_SVC_NAME): 1-15 lowercase letters, digits and `-`, at least
 * one letter, not starting or ending with `-`, no `--`.
 */
export function isIanaSvcName(s: string): boolean {
  return (
    s.length >= 1 &&
    s.length <= 15 &&
    SVC_NAME_CHARS.test(s) &&
    HAS_LETTER.test(s) &&
    !s.includes('--')
  );
}

/**
 * True when `s` reads as a number in a notation other than plain decimal: a sign, leading
 * zeros, an exponent, hex/octal/binary, a fraction or surrounding spaces (`+80`, `080`,
 * `1e3`, `0x17`, `0o17`, `80.0`, ` 80`). `1e3` and `0x17` are also valid port names for
 * Kubernetes, but a port so named is far more likely a number written another way, and
 * reading it as a name would silently open a different port.
 */
function isOtherNumberNotation(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

/** True for a range whose ends are numbers but not both plain decimal (`080-090`). */
function isOtherNumberRange(s: string): boolean {
  const dash = s.indexOf('-', 1);
  return (
    dash > 0 && isOtherNumberNotation(s.slice(0, dash)) && isOtherNumberNotation(s.slice(dash + 1))
  );
}

function inRange(n: number): boolean {
  return n >= MIN_PORT && n <= MAX_PORT;
}

/** The `port` part of a PortSpec. */
type PortValue = Pick<PortSpec, 'port' | 'endPort'>;

/**
 * Parses a port entry's `port`: an integer 1-65535, its plain decimal string, a range string
 * `"low-high"` of plain decimals, or a named port. A string that is a number in another
 * notation (`"1e3"`, `"0x17"`, `"+80"`, `"080"`, `" 80"`) is INVALID_PORT, never a named
 * port. Returns undefined (after reporting) when it is invalid.
 */
export function parsePortValue(
  value: unknown,
  path: string,
  sink: ProblemSink,
): PortValue | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      sink.error(path, 'INVALID_PORT', { value: show(value), detail: '' });
      return undefined;
    }
    if (!inRange(value)) {
      sink.error(path, 'PORT_OUT_OF_RANGE', { value: show(value) });
      return undefined;
    }
    return { port: value };
  }
  if (typeof value !== 'string') {
    sink.error(path, 'TYPE_MISMATCH', { expected: TYPE_EXPECTED });
    return undefined;
  }
  const s = readString(value, path, sink);
  if (s === undefined) return undefined;
  if (DECIMAL.test(s) || NEGATIVE_DECIMAL.test(s)) {
    const n = Number(s);
    if (!inRange(n)) {
      sink.error(path, 'PORT_OUT_OF_RANGE', { value: show(s) });
      return undefined;
    }
    return { port: n };
  }
  const range = RANGE.exec(s);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (!inRange(lo) || !inRange(hi) || lo > hi) {
      sink.error(path, 'INVALID_PORT_RANGE', { value: show(s) });
      return undefined;
    }
    return lo === hi ? { port: lo } : { port: lo, endPort: hi };
  }
  const otherNotation = isOtherNumberNotation(s);
  if (!otherNotation && isIanaSvcName(s)) return { port: s };
  sink.error(path, 'INVALID_PORT', {
    value: show(s),
    detail: otherNotation || isOtherNumberRange(s) ? NOT_PLAIN_DECIMAL : '',
  });
  return undefined;
}

/** Parses a port entry's `protocol` (any case; default TCP). */
function parseProtocol(value: unknown, path: string, sink: ProblemSink): Protocol | undefined {
  if (value === undefined) return 'TCP';
  const s = readString(value, path, sink, 'a string: "TCP", "UDP" or "SCTP"');
  if (s === undefined) return undefined;
  if (!PROTOCOL_TEXT.test(s)) {
    sink.error(path, 'INVALID_PROTOCOL', { value: show(s) });
    return undefined;
  }
  return s.toUpperCase() as Protocol;
}

/** Parses one port entry `{protocol?, port?, source_port?, source_ports?}`. */
export function parsePortEntry(
  value: unknown,
  path: string,
  sink: ProblemSink,
): PortSpec | undefined {
  if (!isPlainObject(value)) {
    sink.error(path, 'TYPE_MISMATCH', {
      expected: 'an object such as {"protocol": "TCP", "port": 80}',
    });
    return undefined;
  }
  const mark = sink.mark();
  const fields = readFields(value, path, PORT_FIELDS, sink);
  const protocol = parseProtocol(fields.get('protocol'), childPath(path, 'protocol'), sink);
  const rawPort = fields.get('port');
  const port = rawPort === undefined ? {} : parsePortValue(rawPort, childPath(path, 'port'), sink);
  checkSourcePortFields(fields, path, sink);
  if (sink.hasErrorsSince(mark) || protocol === undefined || port === undefined) return undefined;
  return { protocol, ...port };
}

/**
 * Parses a list of port entries (a contract's or an expose rule's `ports`). The result is
 * de-duplicated and sorted canonically; an empty list means every port of every protocol.
 */
export function parsePortList(value: unknown, path: string, sink: ProblemSink): PortSpec[] {
  const list = readList(value, path, sink, {
    expected: 'a list of port objects',
    max: DOCUMENT_LIMITS.portsPerList,
  });
  if (!list) return [];
  const specs: PortSpec[] = [];
  for (let i = 0; i < list.length; i++) {
    const spec = parsePortEntry(list[i], childPath(path, i), sink);
    if (spec) specs.push(spec);
  }
  return sortPortSpecs(specs);
}

/** 0: every port of the protocol, 1: numeric, 2: named. */
function portRank(p: PortSpec): number {
  return p.port === undefined ? 0 : typeof p.port === 'number' ? 1 : 2;
}

/**
 * The canonical order: protocol (SCTP, TCP, UDP), then the protocol-wide entry, then numeric
 * ports by value (a single port before a range starting at it), then named ports.
 */
export function comparePortSpecs(a: PortSpec, b: PortSpec): number {
  const byProtocol = PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol);
  if (byProtocol !== 0) return byProtocol;
  const byRank = portRank(a) - portRank(b);
  if (byRank !== 0) return byRank;
  if (typeof a.port === 'number' && typeof b.port === 'number') {
    return a.port - b.port || (a.endPort ?? a.port) - (b.endPort ?? b.port);
  }
  if (typeof a.port === 'string' && typeof b.port === 'string')
    return compareCodeUnits(a.port, b.port);
  return 0;
}

/** Sorts canonically and drops duplicates (entries that compare equal are equal). */
export function sortPortSpecs(specs: readonly PortSpec[]): PortSpec[] {
  const sorted = [...specs].sort(comparePortSpecs);
  return sorted.filter((p, i) => i === 0 || comparePortSpecs(p, sorted[i - 1]) !== 0);
}
