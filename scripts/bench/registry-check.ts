import type { registry, registryV2 } from '@app/contracts';
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

/** The same numbers as v2 carries them packed: E.164 digits without '+'. */
export function packedRequest(request: registry.CheckNumbersRequest): registryV2.CheckNumbersRequest {
  return { msisdns: [], e164: request.msisdns.map((msisdn) => Number(msisdn.slice(1))) };
}

/** A CheckNumbers of each version, as the bench measures them side by side. */
export interface CheckVersion {
  /** `v1`, `v2 packed`, `v2 strings`. */
  label: string;
  service: 'fraud.registry.v1.RegistryService' | 'fraud.registry.v2.RegistryService';
  protoFile: string;
  request: registry.CheckNumbersRequest | registryV2.CheckNumbersRequest;
  /** How many numbers one call carries. */
  size: number;
}

export function checkVersions(request: registry.CheckNumbersRequest): CheckVersion[] {
  const v1 = { service: 'fraud.registry.v1.RegistryService', protoFile: 'fraud/registry/v1/registry.proto' } as const;
  const v2 = { service: 'fraud.registry.v2.RegistryService', protoFile: 'fraud/registry/v2/registry.proto' } as const;
  const size = request.msisdns.length;
  return [
    { label: 'v1', ...v1, request, size },
    { label: 'v2 packed', ...v2, request: packedRequest(request), size },
    { label: 'v2 strings', ...v2, request: { msisdns: request.msisdns, e164: [] }, size },
  ];
}

/**
 * One CheckNumbers call through grpc-js: how many statuses came back and how
 * many were listed (a sanity check of the h2load runs, and of v1 and v2 agreeing).
 */
export async function checkOnce(
  address: string,
  token: string,
  check: CheckVersion,
): Promise<{ results: number; listed: number }> {
  const client = createGrpcClient(check.service, check.protoFile, address, { token });
  try {
    const response = await unary<registry.CheckNumbersResponse | registryV2.CheckNumbersResponse>(
      client,
      'checkNumbers',
      check.request,
    );
    const statuses = 'results' in response ? response.results.map((r) => r.status) : response.statuses;
    return {
      results: statuses.length,
      listed: statuses.filter((status) => numberStatus.tryFromWire(status) !== 'NOT_LISTED').length,
    };
  } finally {
    client.close();
  }
}

/** Fallback without h2load: `clients` grpc-js clients, `inFlight` calls each, for `seconds`: numbers per second. */
export async function checkWithClients(
  address: string,
  token: string,
  check: CheckVersion,
  clients: number,
  inFlight: number,
  seconds: number,
): Promise<number> {
  const all = Array.from({ length: clients }, () =>
    createGrpcClient(check.service, check.protoFile, address, { token }),
  );
  let numbers = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    all.flatMap((client) =>
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < until) {
          await unary(client, 'checkNumbers', check.request);
          numbers += check.size;
        }
      }),
    ),
  );
  const elapsed = performance.now() - started;
  all.forEach((c) => c.close());
  return (numbers * 1000) / elapsed;
}
