import { checkCidr, cidrIsStrictSubset, formatIp, parseIp, type Cidr } from '../net/cidr.js';
import { cidrsCover, compareCidrs } from '../net/cidr-set.js';
import { childPath, isPlainObject, readFields, readList, readString, show } from './json-shape.js';
import { DOCUMENT_LIMITS } from './limits.js';
import type { NetworkNames } from './network-names.js';
import { parsePortList } from './parse-ports.js';
import type { ProblemSink } from './problem-sink.js';
import type { NormalisedExpose } from './policy-document.types.js';

const EXPOSE_FIELDS: ReadonlySet<string> = new Set(['network', 'cidr', 'except', 'ports']);

/** How to write an IPv4-mapped CIDR so that the API server accepts it. */
function ipv4MappedHint(s: string): string {
  const slash = s.indexOf('/');
  const prefix = Number(s.slice(slash + 1));
  const mapped = parseIp(s.slice(0, slash));
  if (!mapped || prefix < 96) return 'use an IPv4 CIDR, or an IPv6 CIDR outside ::ffff:0:0/96';
  const v4 = mapped.value & 0xffffffffn;
  const bits = 128 - prefix;
  const network = (v4 >> BigInt(bits)) << BigInt(bits);
  return `write it as ${formatIp(4, network)}/${prefix - 96}`;
}

/**
 * Parses a CIDR string as the API server validates ipBlock CIDRs (see checkCidr), warning
 * CIDR_HOST_BITS_SET when it had to be made canonical.
 */
function readCidr(value: unknown, path: string, sink: ProblemSink): Cidr | undefined {
  const s = readString(value, path, sink);
  if (s === undefined) return undefined;
  const check = checkCidr(s);
  if (!check.ok) {
    const hint = check.code === 'CIDR_IPV4_MAPPED' ? ipv4MappedHint(s) : '';
    sink.error(path, check.code, { value: show(s), hint });
    return undefined;
  }
  const cidr = check.cidr;
  if (cidr.hadHostBits)
    sink.warn(path, 'CIDR_HOST_BITS_SET', { value: show(s), canonical: cidr.text });
  return cidr;
}

/**
 * Parses `except`: each a CIDR strictly inside `outer` (when `outer` is valid) and of the same
 * family, and together not covering all of `outer` (EXCEPT_COVERS_CIDR: such a rule would
 * allow no address, which is surely not what was meant). Returns the canonical texts, sorted
 * by address and unique.
 */
function parseExcept(
  value: unknown,
  path: string,
  outer: Cidr | undefined,
  sink: ProblemSink,
): string[] {
  const list = readList(value, path, sink, {
    expected: 'a list of strings',
    max: DOCUMENT_LIMITS.except,
  });
  if (!list) return [];
  const valid: Cidr[] = [];
  for (let i = 0; i < list.length; i++) {
    const itemPath = childPath(path, i);
    const inner = readCidr(list[i], itemPath, sink);
    if (!inner) continue;
    if (outer) {
      const params = { value: show(list[i]), cidr: outer.text };
      if (inner.family !== outer.family) {
        sink.error(itemPath, 'EXCEPT_FAMILY_MISMATCH', params);
        continue;
      }
      if (!cidrIsStrictSubset(inner, outer)) {
        sink.error(itemPath, 'EXCEPT_NOT_SUBSET', params);
        continue;
      }
    }
    valid.push(inner);
  }
  if (outer && valid.length > 0 && cidrsCover(valid, outer)) {
    sink.error(path, 'EXCEPT_COVERS_CIDR', { cidr: outer.text });
    return [];
  }
  valid.sort(compareCidrs);
  return valid.filter((c, i) => i === 0 || compareCidrs(c, valid[i - 1]) !== 0).map((c) => c.text);
}

/** Parses one expose rule `{network, cidr, except?, ports?}`. */
function parseExposeEntry(
  value: unknown,
  index: number,
  path: string,
  names: NetworkNames,
  sink: ProblemSink,
): NormalisedExpose | undefined {
  if (!isPlainObject(value)) {
    sink.error(path, 'TYPE_MISMATCH', { expected: 'an object with "network" and "cidr"' });
    return undefined;
  }
  const mark = sink.mark();
  const fields = readFields(value, path, EXPOSE_FIELDS, sink);

  const rawNetwork = fields.get('network');
  let network: string | undefined;
  if (rawNetwork === undefined) sink.error(childPath(path, 'network'), 'REQUIRED');
  else network = names.register(rawNetwork, path, 'network', sink);

  const rawCidr = fields.get('cidr');
  let cidr: Cidr | undefined;
  if (rawCidr === undefined) sink.error(childPath(path, 'cidr'), 'REQUIRED');
  else cidr = readCidr(rawCidr, childPath(path, 'cidr'), sink);

  const rawExcept = fields.get('except');
  const except =
    rawExcept === undefined ? [] : parseExcept(rawExcept, childPath(path, 'except'), cidr, sink);

  const rawPorts = fields.get('ports');
  const ports =
    rawPorts === undefined ? [] : parsePortList(rawPorts, childPath(path, 'ports'), sink);

  if (sink.hasErrorsSince(mark) || network === undefined || cidr === undefined) return undefined;
  return { index, network, cidr: cidr.text, except, ports };
}

/** Parses the optional `expose` list; the result keeps document order (and each rule's index). */
export function parseExposeList(
  value: unknown,
  path: string,
  names: NetworkNames,
  sink: ProblemSink,
): NormalisedExpose[] {
  if (value === undefined) return [];
  const list = readList(value, path, sink, {
    expected: 'a list of objects',
    max: DOCUMENT_LIMITS.expose,
  });
  if (!list) return [];
  const out: NormalisedExpose[] = [];
  for (let i = 0; i < list.length; i++) {
    const rule = parseExposeEntry(list[i], i, childPath(path, i), names, sink);
    if (rule) out.push(rule);
  }
  return out;
}
