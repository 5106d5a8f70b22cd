import type { Problem } from '../problems/problem.js';
import type { PortSpec } from '../ports/port-set.js';

/** Options whose defaults reproduce the original aci2k8s behaviour exactly. */
export interface DocumentOptions {
  /** The pod label that makes a pod a member of a network. */
  labelKey: string;
  /** What providers may reach on a consumer of a contract they do not consume. */
  providerAccess: 'full' | 'none';
  /** `any`: members are labelled pods in any namespace; `listed`: only in the document's. */
  peerNamespaces: 'any' | 'listed';
  /** `isolate`: members of a network never reach each other (ACI intra-EPG isolation). */
  intraNetwork: 'allow' | 'isolate';
  /** `enforce`: egress is restricted too; `unrestricted`: only ingress is enforced. */
  egress: 'unrestricted' | 'enforce';
}

export const DEFAULT_OPTIONS: DocumentOptions = {
  labelKey: 'mms_network_tag',
  providerAccess: 'full',
  peerNamespaces: 'any',
  intraNetwork: 'allow',
  egress: 'unrestricted',
};

export interface NormalisedContract {
  /** The contract's key in the document, unchanged (used to trace rules back). */
  name: string;
  /** Network names after `_` → `-`, sorted, unique. */
  providers: string[];
  consumers: string[];
  /** Empty means every port of every protocol. Sorted canonically. */
  ports: PortSpec[];
  /** The contract's own provider_access, or the document's. */
  providerAccess: 'full' | 'none';
}

export interface NormalisedExpose {
  /** The rule's index in the document's `expose` list (used to trace rules back). */
  index: number;
  network: string;
  /** Canonical CIDR (host bits cleared, IPv6 compressed lowercase). */
  cidr: string;
  /** Canonical, sorted, unique. */
  except: string[];
  /** Empty means every port of every protocol. */
  ports: PortSpec[];
}

/**
 * A validated document in canonical form: every list sorted and de-duplicated, names
 * converted, defaults applied. Two documents that mean the same thing normalise equal.
 */
export interface NormalisedDocument {
  namespaces: string[];
  /** Every network named by a contract or an expose rule, sorted. */
  networks: string[];
  /** Sorted by name. Contracts whose action is not `permit` are not here (see warnings). */
  contracts: NormalisedContract[];
  /** In document order. */
  expose: NormalisedExpose[];
  options: DocumentOptions;
}

export type ParseResult =
  | { ok: true; document: NormalisedDocument; warnings: Problem[] }
  | { ok: false; errors: Problem[]; warnings: Problem[] };

/** The document as orchestrators send it (MMS format plus gbp-netpol's options). */
export interface RawPort {
  protocol?: string;
  port?: number | string;
  source_port?: unknown;
  source_ports?: unknown;
}

export interface RawContract {
  provide_networks: string[];
  consume_networks: string[];
  ports?: RawPort[];
  provider_access?: 'full' | 'none';
  source_port?: unknown;
  source_ports?: unknown;
  established?: boolean;
  stateful?: boolean;
  action?: string;
}

export interface RawExpose {
  network: string;
  cidr: string;
  except?: string[];
  ports?: RawPort[];
}

export interface RawPolicyDocument {
  namespaces: string[];
  contracts: Record<string, RawContract>;
  expose?: RawExpose[];
  options?: {
    label_key?: string;
    provider_access?: 'full' | 'none';
    peer_namespaces?: 'any' | 'listed';
    intra_network?: 'allow' | 'isolate';
    egress?: 'unrestricted' | 'enforce';
  };
}
