import { Inject, Injectable } from '@nestjs/common';
import { JSON_BODY_TYPES, YAML_BODY_TYPES } from '../../common/media-types.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { serviceVersion } from '../../config/service-version.js';
import {
  EGRESS_VALUES,
  INTRA_NETWORK_VALUES,
  PEER_NAMESPACES_VALUES,
  PROVIDER_ACCESS_VALUES,
} from '../../core/document/parse-options.js';
import { DEFAULT_OPTIONS } from '../../core/document/policy-document.types.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-events.js';

/** One document option: its name in `options`, its default, and its values when it is an enum. */
export interface DocumentOptionInfo {
  name: string;
  default: string;
  values?: readonly string[];
  /** True when a contract may set it for itself too. */
  perContract?: boolean;
}

/** What GET /version answers. */
export interface VersionInfo {
  name: 'gbp-netpol';
  version: string;
  build: { commit?: string; date?: string };
  node: string;
  role: AppConfig['role'];
  document: { contentTypes: string[]; options: DocumentOptionInfo[] };
  /** The events POST /v1/webhooks subscribes to. */
  webhookEvents: string[];
}

/** The document options the core understands, from its own constants (src/core/README.md). */
export const DOCUMENT_OPTIONS: readonly DocumentOptionInfo[] = [
  { name: 'label_key', default: DEFAULT_OPTIONS.labelKey },
  {
    name: 'provider_access',
    default: DEFAULT_OPTIONS.providerAccess,
    values: PROVIDER_ACCESS_VALUES,
    perContract: true,
  },
  {
    name: 'peer_namespaces',
    default: DEFAULT_OPTIONS.peerNamespaces,
    values: PEER_NAMESPACES_VALUES,
  },
  { name: 'intra_network', default: DEFAULT_OPTIONS.intraNetwork, values: INTRA_NETWORK_VALUES },
  { name: 'egress', default: DEFAULT_OPTIONS.egress, values: EGRESS_VALUES },
];

/** The service's version, its build, and what documents it accepts. */
@Injectable()
export class VersionService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  info(): VersionInfo {
    return {
      name: 'gbp-netpol',
      version: serviceVersion(),
      build: this.config.build,
      node: process.version,
      role: this.config.role,
      document: {
        contentTypes: [JSON_BODY_TYPES[0], YAML_BODY_TYPES[0]],
        options: [...DOCUMENT_OPTIONS],
      },
      webhookEvents: [...WEBHOOK_EVENT_TYPES],
    };
  }
}
