/**
 * Caps that keep the parser linear and bounded on hostile input. A list longer than its cap
 * is reported (TOO_MANY_ITEMS) and its items are not examined.
 */
export const DOCUMENT_LIMITS = {
  namespaces: 1_000,
  contracts: 50_000,
  networksPerList: 10_000,
  portsPerList: 1_000,
  expose: 10_000,
  except: 1_000,
  /** Any string the document holds (names, CIDRs, ports, enum values, the label key). */
  stringLength: 1_024,
  /** Contract names are keys, checked separately (INVALID_CONTRACT_NAME). */
  contractNameLength: 253,
  /** Containers nested deeper than this where arbitrary JSON is accepted (source_port). */
  nestingDepth: 32,
} as const;
