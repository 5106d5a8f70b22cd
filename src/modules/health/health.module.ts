import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';

@Module({})
export class HealthModule {
  /** `checks` provides READINESS_CHECKS; without it /readyz only says the process is up. */
  static forRoot(checks?: Provider, imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), ...imports],
      controllers: [HealthController],
      providers: checks ? [checks] : [],
    };
  }
}
