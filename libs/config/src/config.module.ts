import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, SYSTEM_CLOCK, type Clock } from '@app/domain';
import type { Env } from './env';

/**
 * The environment variables a service reads (docs/operations.md "Configuration"), injected:
 * every provider reads them from here, never from process.env, so that two
 * services with different settings can run in one process (the tests do).
 */
export const ENV = Symbol('ENV');

/**
 * What a service is given from outside: its variables (ENV) and the wall clock
 * (CLOCK). main.ts passes process.env and the system clock; a test harness its
 * own variables and, to move time, its own clock.
 */
@Global()
@Module({})
export class ConfigModule {
  static forEnv(env: Env, clock: Clock = SYSTEM_CLOCK): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: ENV, useValue: env },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [ENV, CLOCK],
    };
  }
}
