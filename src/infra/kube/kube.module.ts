import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { KubeGateway, type KubeGatewayOptions } from './kube-gateway.js';

export function kubeGatewayProvider(options: KubeGatewayOptions = {}): Provider {
  return { provide: KubeGateway, useFactory: () => new KubeGateway(options) };
}

/** Thin Nest wiring: inject `KubeGateway` and call `connect(credentials)` per cluster. */
@Module({ providers: [kubeGatewayProvider()], exports: [KubeGateway] })
export class KubeModule {
  static forRoot(options: KubeGatewayOptions = {}): DynamicModule {
    return {
      module: KubeModule,
      providers: [kubeGatewayProvider(options)],
      exports: [KubeGateway],
    };
  }
}
