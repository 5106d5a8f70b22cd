import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { KubeGateway, type KubeGatewayOptions } from './kube-gateway.js';

export function kubeGatewayProvider(options: KubeGatewayOptions = {}): Provider {
  return { provide: KubeGateway, useFactory: () => new KubeGateway(options) };
}

/** The gateway as the configuration asks for it (ALLOW_LINK_LOCAL_CLUSTER_URLS). */
const configuredGateway: Provider = {
  provide: KubeGateway,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    new KubeGateway({ allowSpecialAddresses: config.allowLinkLocalClusterUrls }),
};

/** Thin Nest wiring: inject `KubeGateway` and call `connect(credentials)` per cluster. */
@Module({ providers: [configuredGateway], exports: [KubeGateway] })
export class KubeModule {
  static forRoot(options: KubeGatewayOptions = {}): DynamicModule {
    return {
      module: KubeModule,
      providers: [kubeGatewayProvider(options)],
      exports: [KubeGateway],
    };
  }
}
