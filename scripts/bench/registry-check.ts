import type { registry } from '@app/contracts';
import { numberStatus } from '@app/contracts/codecs';
import { createGrpcClient, unary } from '@app/grpc';
import { runMigrations } from '@app/persistence';
import { registryDatabase } from '../../apps/registry/src/database';
import { sql } from './services';

export const CHECK_BATCH = 10_000;

/** The i-th seeded number: +86171 and eight digits. */
export function seededNumber(i: number): string {
  return `+86171${String(i).padStart(8, '0')}`;
}

/**
 * Lists `count` numbers as SUSPECTED straight into a fresh registry database,
 * before the registry starts: its migrations first, then server-side
 * generate_series inserts into number_status and status_change (one change per
 * number, versions 1..count) and the feed head, as the registry itself would
 * have left them after `count` flags (the flags' evidence rows are not written).
 */
export async function seedListedNumbers(url: string, count: number): Promise<number> {
  const started = performance.now();
  await runMigrations(url, registryDatabase, undefined, process.env);
  const number = `'+86171' || lpad(i::text, 8, '0')`;
  await sql(
    url,
    `INSERT INTO number_status (msisdn, status, version, updated_at)
     SELECT ${number}, 'SUSPECTED', i, now() FROM generate_series(1, $1::int) AS i`,
    [count],
  );
  await sql(
    url,
    `INSERT INTO status_change (version, msisdn, status, previous_status, cause, changed_at)
     SELECT i, ${number}, 'SUSPECTED', 'NOT_LISTED', 'FLAG', now() FROM generate_series(1, $1::int) AS i`,
    [count],
  );
  await sql(url, `UPDATE change_feed_head SET version = $1 WHERE id = 1`, [count]);
  await sql(url, `ANALYZE`);
  return performance.now() - started;
}

/** A CheckNumbers request of `size` numbers drawn from the seeded range and 10% beyond it (those are not listed). */
export function checkRequest(listed: number, size = CHECK_BATCH, seed = 7): registry.CheckNumbersRequest {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
  const msisdns: string[] = [];
  for (let i = 0; i < size; i++) msisdns.push(seededNumber(1 + (next() % Math.ceil(listed * 1.1))));
  return { msisdns };
}

/**
 * One CheckNumbers call through grpc-js: the answer's size and how many were listed
 * (a sanity check of the h2load runs).
 */
export async function checkOnce(
  address: string,
  token: string,
  request: registry.CheckNumbersRequest,
): Promise<{ results: number; listed: number }> {
  const client = createGrpcClient('fraud.registry.v1.RegistryService', 'fraud/registry/v1/registry.proto', address, {
    token,
  });
  try {
    const response = await unary<registry.CheckNumbersResponse>(client, 'checkNumbers', request);
    return {
      results: response.results.length,
      listed: response.results.filter((r) => numberStatus.tryFromWire(r.status) !== 'NOT_LISTED').length,
    };
  } finally {
    client.close();
  }
}

/** Fallback without h2load: `clients` grpc-js clients, `inFlight` calls each, for `seconds`. */
export async function checkWithClients(
  address: string,
  token: string,
  request: registry.CheckNumbersRequest,
  clients: number,
  inFlight: number,
  seconds: number,
): Promise<number> {
  const all = Array.from({ length: clients }, () =>
    createGrpcClient('fraud.registry.v1.RegistryService', 'fraud/registry/v1/registry.proto', address, { token }),
  );
  let numbers = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    all.flatMap((client) =>
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < until) {
          await unary(client, 'checkNumbers', request);
          numbers += request.msisdns.length;
        }
      }),
    ),
  );
  const elapsed = performance.now() - started;
  all.forEach((c) => c.close());
  return (numbers * 1000) / elapsed;
}
