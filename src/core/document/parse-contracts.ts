import {
  checkEstablishedFields,
  checkSourcePortFields,
  ESTABLISHED_FIELDS,
  SOURCE_PORT_FIELDS,
} from './aci-fields.js';
import { childPath, isPlainObject, readEnum, readFields, readString, show } from './json-shape.js';
import { DOCUMENT_LIMITS } from './limits.js';
import type { NetworkNames } from './network-names.js';
import { compareCodeUnits } from './ordering.js';
import { PROVIDER_ACCESS_VALUES } from './parse-options.js';
import { parsePortList } from './parse-ports.js';
import type { ProblemSink } from './problem-sink.js';
import type { DocumentOptions, NormalisedContract } from './policy-document.types.js';

const CONTRACT_FIELDS: ReadonlySet<string> = new Set([
  'provide_networks',
  'consume_networks',
  'ports',
  'provider_access',
  'action',
  ...SOURCE_PORT_FIELDS,
  ...ESTABLISHED_FIELDS,
]);

/** `permit` in any ASCII case (no `u` flag: `permıt` with a dotless i is not `PERMIT`). */
const PERMIT = /^permit$/i;

/**
 * Reads `action`. Returns true when the contract permits (no action, or `permit` in any
 * case), false when it must be dropped (ACTION_NOT_PERMIT warning) or the action is invalid.
 */
function readAction(value: unknown, path: string, sink: ProblemSink): boolean {
  if (value === undefined) return true;
  const action = readString(value, path, sink);
  if (action === undefined) return false;
  if (PERMIT.test(action)) return true;
  sink.warn(path, 'ACTION_NOT_PERMIT', { value: show(action) });
  return false;
}

/**
 * Parses one contract. Its networks are registered even when the contract is dropped (a
 * non-permit action) or invalid, so they remain networks of the document. Returns undefined
 * when the contract is dropped or has errors.
 */
function parseContract(
  name: string,
  value: unknown,
  path: string,
  defaultAccess: DocumentOptions['providerAccess'],
  names: NetworkNames,
  sink: ProblemSink,
): NormalisedContract | undefined {
  const mark = sink.mark();
  if (name.length < 1 || name.length > DOCUMENT_LIMITS.contractNameLength) {
    sink.error(path, 'INVALID_CONTRACT_NAME');
  }
  if (!isPlainObject(value)) {
    sink.error(path, 'TYPE_MISMATCH', {
      expected: 'an object with "provide_networks" and "consume_networks"',
    });
    return undefined;
  }
  const fields = readFields(value, path, CONTRACT_FIELDS, sink);
  const providers = names.registerList(
    fields.get('provide_networks'),
    childPath(path, 'provide_networks'),
    sink,
  );
  const consumers = names.registerList(
    fields.get('consume_networks'),
    childPath(path, 'consume_networks'),
    sink,
  );

  const rawPorts = fields.get('ports');
  const ports =
    rawPorts === undefined ? [] : parsePortList(rawPorts, childPath(path, 'ports'), sink);

  const rawAccess = fields.get('provider_access');
  const providerAccess =
    rawAccess === undefined
      ? defaultAccess
      : readEnum(rawAccess, childPath(path, 'provider_access'), PROVIDER_ACCESS_VALUES, sink);

  checkSourcePortFields(fields, path, sink);
  checkEstablishedFields(fields, path, sink);
  const permits = readAction(fields.get('action'), childPath(path, 'action'), sink);

  if (!permits || sink.hasErrorsSince(mark) || providerAccess === undefined) return undefined;
  return { name, providers, consumers, ports, providerAccess };
}

/**
 * Parses the optional `contracts` object (contract name → contract). Returns the contracts
 * that permit something, sorted by name. Only own keys are read, so a contract named
 * `__proto__` or `constructor` is just a contract.
 */
export function parseContracts(
  value: unknown,
  path: string,
  defaultAccess: DocumentOptions['providerAccess'],
  names: NetworkNames,
  sink: ProblemSink,
): NormalisedContract[] {
  if (value === undefined) return [];
  if (!isPlainObject(value)) {
    sink.error(path, 'TYPE_MISMATCH', {
      expected: 'an object mapping contract names to contracts',
    });
    return [];
  }
  const keys = Object.keys(value);
  if (keys.length > DOCUMENT_LIMITS.contracts) {
    sink.error(path, 'TOO_MANY_ITEMS', { count: keys.length, max: DOCUMENT_LIMITS.contracts });
    return [];
  }
  const out: NormalisedContract[] = [];
  for (const name of keys) {
    const body = value[name];
    if (body === undefined) continue;
    const contract = parseContract(name, body, childPath(path, name), defaultAccess, names, sink);
    if (contract) out.push(contract);
  }
  return out.sort((a, b) => compareCodeUnits(a.name, b.name));
}
