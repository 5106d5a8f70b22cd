/**
 * A problem found in user input: an error (the input is rejected) or a warning (accepted,
 * with something the user should know). Core never throws on user input; it returns these.
 */
export interface Problem {
  /** RFC 6901 JSON pointer into the input, e.g. `/contracts/web_to_db/ports/0/port`. */
  path: string;
  /** A stable code, one of PROBLEM_MESSAGES' keys. */
  code: ProblemCode;
  message: string;
}

/** One message template per code; `{name}` placeholders are filled by problem(). */
export const PROBLEM_MESSAGES = {
  // structure
  TYPE_MISMATCH: 'must be {expected}',
  REQUIRED: 'is required',
  UNKNOWN_FIELD: 'is not a known field; a typo must not silently change a policy',
  EMPTY_LIST: 'must contain at least one item',
  TOO_MANY_ITEMS: 'has {count} items, more than the maximum of {max}',
  STRING_TOO_LONG: 'is longer than {max} characters',
  INVALID_ENUM: 'must be one of {allowed}, got {value}',
  // names
  INVALID_NAMESPACE:
    'namespace {value} is not a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters, starting and ending with a letter or digit)',
  DUPLICATE_NAMESPACE: 'namespace {value} is listed more than once; the duplicate is ignored',
  INVALID_NETWORK_NAME:
    'network {value} becomes {converted}, which is not a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters, starting and ending with a letter or digit)',
  NETWORK_NAME_COLLISION: 'network {value} becomes {converted}, the same name as {other}',
  DUPLICATE_NETWORK:
    'network {value} is listed more than once in this list; the duplicate is ignored',
  INVALID_CONTRACT_NAME: 'contract name must be 1 to 253 characters',
  INVALID_LABEL_KEY:
    'label key {value} is not a valid Kubernetes label key ([prefix/]name, name at most 63 characters)',
  // ports
  INVALID_PROTOCOL: 'protocol must be TCP, UDP or SCTP (any case), got {value}',
  PORT_OUT_OF_RANGE: 'port {value} is outside 1-65535',
  INVALID_PORT:
    'port {value} is neither a number 1-65535, a range "low-high" nor a named port (at most 15 lowercase letters, digits and "-", with at least one letter){detail}',
  INVALID_PORT_RANGE: 'port range {value} must be "low-high" with 1 <= low <= high <= 65535',
  // addresses
  INVALID_CIDR: 'cidr {value} is not an IPv4 or IPv6 CIDR',
  CIDR_LEADING_ZERO:
    'cidr {value} has a leading zero in an address part or in the prefix length, which the Kubernetes API server refuses (some software reads such numbers as octal)',
  CIDR_IPV4_MAPPED:
    'cidr {value} is an IPv4-mapped IPv6 address (inside ::ffff:0:0/96), which the Kubernetes API server refuses; {hint}',
  CIDR_HOST_BITS_SET: 'cidr {value} has host bits set; it was made canonical as {canonical}',
  EXCEPT_NOT_SUBSET: 'except {value} is not a strict subset of cidr {cidr}',
  EXCEPT_FAMILY_MISMATCH: 'except {value} is not in the same address family as cidr {cidr}',
  POD_NETWORKS_UNKNOWN:
    "the pod networks of this cluster are unknown, so {cidrs} stay as written: on network plugins that match pod IPs against ipBlocks (most do), every pod of the cluster, untagged ones included, may reach the ports exposed there; set the cluster's podCIDRs, or let its identity list nodes",
  IPBLOCK_INSIDE_CLUSTER:
    'ipBlock {cidr} of {source} {why}: on network plugins that match pod IPs it would only let in-cluster pods in, so it is left out of the policies for this cluster',
  EXCEPT_COVERS_CIDR:
    'the excepts cover every address of cidr {cidr}, so this rule would allow no address',
  // ACI fields NetworkPolicy cannot express
  IGNORED_SOURCE_PORT: '{field} is ignored: NetworkPolicy matches destination ports only',
  IGNORED_ESTABLISHED:
    '{field} is ignored: NetworkPolicy is stateful, so replies to an allowed connection are always allowed',
  ACTION_NOT_PERMIT:
    'action {value} cannot be expressed by NetworkPolicy, which only permits; this contract is dropped and allows nothing',
  INVALID_LABEL_VALUE:
    'the value of {key} is not a valid label value ({value}: at most 63 letters, digits, "-", "_" and ".", alphanumeric at both ends, or empty)',
  // compiled size (see src/core/compiler/compile-limits.ts)
  COMPILE_LIMIT_EXCEEDED:
    'the compiled objects would hold {count} {what}, more than the {limit} limit of {max}; largest contributors: {contributors}',
  CONNECTIVITY_TOO_LARGE:
    'the connectivity view would list {count} cells, more than the limit of {max} (CONNECTIVITY_MAX_CELLS); the policy itself compiles and deploys',
  // clusters
  INVALID_SERVER_URL: '{detail}',
  INSECURE_SERVER_URL: '{detail}',
  SERVER_ADDRESS_REFUSED:
    'points at {address}, a {kind} address, where no API server should be (cloud metadata services answer at link-local addresses); ALLOW_LINK_LOCAL_CLUSTER_URLS=true permits it',
  CONFLICTING_FIELDS: '{detail}',
  REQUIRES_FIELD: '{detail}',
  INVALID_PEM: '{detail}',
  INVALID_TOKEN: 'the token must be printable ASCII without spaces',
  CREDENTIALS_REQUIRED:
    'changing {field} changes where or how the stored {stored} would be sent; give the credentials again in the same request (token, clientCertificateData and clientKeyData, or a kubeconfig)',
  INVALID_KUBECONFIG: 'is not a usable kubeconfig: {detail}',
  KUBECONFIG_FORBIDDEN_FIELD: '{field} is rejected: it {why}',
  // requests
  INVALID_CURSOR:
    'is not a cursor of this list; pass the nextCursor of the previous page as it came, or none for the first page',
  CONTROL_CHARACTER:
    'path parameter {name} is {value}, which holds a control character; no name, number or id contains one',
  // webhooks
  INVALID_WEBHOOK_URL: '{detail}',
  INSECURE_WEBHOOK_URL: '{detail}',
  WEBHOOK_ADDRESS_FORBIDDEN: '{detail}',
  INVALID_WEBHOOK_SECRET: '{detail}',
  // documents
  INVALID_JSON: 'the body is not valid JSON: {detail}',
  NESTING_TOO_DEEP: 'is nested deeper than {max} levels',
  INVALID_STRING: '{subject}contains a NUL character or an unpaired surrogate',
  DUPLICATE_KEY:
    'key {key} appears more than once in this object; JSON readers keep only one of them silently, so the body is refused',
  // YAML bodies (see src/core/document/yaml-body.ts)
  INVALID_YAML: 'the body is not usable YAML: {detail}',
  YAML_ALIAS:
    'the YAML alias {name} is refused: aliases can multiply a body and no request needs one; write the value out',
  YAML_KEY_NOT_SCALAR:
    'a key of this mapping is itself a mapping or a sequence, which JSON cannot express',
  YAML_MULTIPLE_DOCUMENTS: 'the body holds {count} YAML documents; send exactly one',
} as const;

export type ProblemCode = keyof typeof PROBLEM_MESSAGES;

/** Builds a Problem from its code's template; unknown placeholders are left as they are. */
export function problem(
  path: string,
  code: ProblemCode,
  params: Record<string, string | number> = {},
): Problem {
  const message = PROBLEM_MESSAGES[code].replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
  return { path, code, message };
}

/** Escapes one JSON-pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins reference tokens into a JSON pointer. */
export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => `/${pointerToken(t)}`).join('');
}
