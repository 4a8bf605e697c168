import type { ServiceError } from '@grpc/grpc-js';
import type { registry } from '@app/contracts';
import { ServiceHarness, type ServiceClient, type StartOptions } from '@app/testing';
import { registryDatabase } from '../src/database';
import { REGISTRY_GRPC } from '../src/registry.grpc';
import { RegistryModule } from '../src/registry.module';

/** A registry booted as in production (real module, real gRPC on loopback, real PostgreSQL). */
export type RegistryHarness = ServiceHarness<registry.RegistryServiceController>;
/** Typed calls of fraud.registry.v1.RegistryService. */
export type RegistryClient = ServiceClient<registry.RegistryServiceController>;

export const RegistryHarness = {
  start: (options?: StartOptions): Promise<RegistryHarness> =>
    ServiceHarness.start(
      { database: registryDatabase, grpc: REGISTRY_GRPC, module: (env, clock) => RegistryModule.forEnv(env, clock) },
      options,
    ),
};

/** Reads WatchChanges from `sinceVersion` until `count` changes arrived, then cancels it. */
export async function collectChanges(
  client: RegistryClient,
  sinceVersion: number,
  count: number,
  timeoutMs = 20_000,
): Promise<registry.StatusChange[]> {
  const stream = client.watchChanges({ sinceVersion });
  const changes: registry.StatusChange[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.cancel();
      reject(new Error(`only ${changes.length} of ${count} changes arrived`));
    }, timeoutMs);
    stream.on('data', (message: registry.WatchChangesResponse) => {
      if (message.change) changes.push(message.change);
      if (changes.length === count) {
        clearTimeout(timer);
        stream.cancel();
        resolve(changes);
      }
    });
    stream.on('error', (error: ServiceError) => {
      if (changes.length < count) {
        clearTimeout(timer);
        reject(error);
      }
    });
  });
}

let sequence = 0;

/** A valid flag for a number, unique key unless given. */
export function aFlag(msisdn: string, overrides: Partial<registry.Flag> = {}): registry.Flag {
  const observedAt = new Date(Date.now() - 60_000);
  return {
    idempotencyKey: `test-${process.pid}-${++sequence}`,
    msisdn,
    source: 'carrier:CTCC',
    reasonCodes: ['CALL_BURST'],
    score: 0.7,
    evidence: {
      summary: '26 calls to 24 numbers in 85 minutes',
      windowStart: { seconds: Math.floor(observedAt.getTime() / 1000) - 5100, nanos: 0 },
      windowEnd: { seconds: Math.floor(observedAt.getTime() / 1000), nanos: 0 },
      measures: [{ name: 'calls_90m', value: 26, threshold: 20 }],
      cells: [
        {
          cell: '460-11-23456-1',
          at: { seconds: Math.floor(observedAt.getTime() / 1000) - 600, nanos: 0 },
          activity: 'call',
        },
      ],
    },
    observedAt: { seconds: Math.floor(observedAt.getTime() / 1000), nanos: 0 },
    ...overrides,
  };
}

/** Distinct valid numbers: 191 segment, from a base. */
export function numbers(count: number, base = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+86191${String(base + i).padStart(8, '0')}`);
}
