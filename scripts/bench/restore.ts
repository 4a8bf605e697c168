import { Client } from 'pg';
import { createGrpcClient, unary } from '@app/grpc';
import type { carrier, registry } from '@app/contracts';
import { usageProfile, verificationOutcome } from '@app/contracts/codecs';
import { UsageProfile, VerificationOutcome } from '@app/domain';
import { summarise, type LatencySummary } from './stats';
import { encodeIngest, streamIngest } from './ingest';
import { sql } from './services';

/** Detection loop: the carrier's decision table is read every POLL_MS. */
const POLL_MS = 2;
const SUSPEND_TIMEOUT_MS = 60_000;
const RESTORE_TIMEOUT_MS = 10_000;

export interface RestoreResult {
  latencyMs: LatencySummary;
  /** Mean time between two reads of the decision table: the measurement's resolution. */
  pollPeriodMs: number;
}

/** `count` CTCC subscribers, +86199 and eight digits, activated two years before now. */
export function restoreSubjects(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `+86199${String(70_000_000 + i).padStart(8, '0')}`);
}

/**
 * Police clearance to RESTORE: the subjects are subscribers of a carrier linked
 * to the registry; the police confirm each as fraud (the carrier suspends them),
 * then clear them one by one. For each, the time runs from sending VerifyNumber
 * (CLEARED) until the carrier's durable RESTORE decision is read from its
 * database, which is polled every POLL_MS over one connection.
 */
export async function measureRestore(
  registryAddress: string,
  carrierAddress: string,
  carrierDb: string,
  tokens: { police: string; carrier: string },
  count: number,
): Promise<RestoreResult> {
  const subjects = restoreSubjects(count);
  const activatedAtMs = Date.now() - 2 * 365 * 86_400_000;
  const records: carrier.Event[] = subjects.map((msisdn, i) => ({
    id: `bench-sub-${i}`,
    atMs: activatedAtMs,
    subscriber: { msisdn, activatedAtMs, realNameVerified: true, profile: usageProfile.toWire(UsageProfile.None) },
  }));
  await streamIngest(carrierAddress, tokens.carrier, encodeIngest([records]));

  const police = createGrpcClient(
    'fraud.registry.v1.RegistryService',
    'fraud/registry/v1/registry.proto',
    registryAddress,
    { token: tokens.police },
  );
  const verify = (msisdn: string, outcome: VerificationOutcome, key: string) =>
    unary<registry.VerifyNumberResponse>(police, 'verifyNumber', {
      idempotencyKey: key,
      msisdn,
      outcome: verificationOutcome.toWire(outcome),
      caseId: 'BENCH-1',
      note: 'npm run bench',
    });
  const db = new Client({ connectionString: carrierDb });
  await db.connect();
  try {
    for (const msisdn of subjects) await verify(msisdn, VerificationOutcome.Confirmed, `bench-confirm-${msisdn}`);
    const deadline = Date.now() + SUSPEND_TIMEOUT_MS;
    for (;;) {
      const [{ n }] = await sql<{ n: string }>(
        carrierDb,
        `SELECT count(DISTINCT msisdn) AS n FROM decision WHERE NOT shadow AND action = 'SUSPEND' AND msisdn = ANY($1)`,
        [subjects],
      );
      if (Number(n) === subjects.length) break;
      if (Date.now() > deadline)
        throw new Error(
          `only ${n} of ${subjects.length} confirmed numbers were suspended by the carrier ` +
            `within ${SUSPEND_TIMEOUT_MS / 1000} s`,
        );
      await sleep(100);
    }

    const latencies: number[] = [];
    let polls = 0;
    let pollingMs = 0;
    for (const msisdn of subjects) {
      const started = performance.now();
      const cleared = verify(msisdn, VerificationOutcome.Cleared, `bench-clear-${msisdn}`);
      let seen = false;
      while (!seen) {
        const before = performance.now();
        seen =
          (
            await db.query(`SELECT 1 FROM decision WHERE msisdn = $1 AND action = 'RESTORE' AND NOT shadow LIMIT 1`, [
              msisdn,
            ])
          ).rowCount! > 0;
        if (!seen) {
          if (before - started > RESTORE_TIMEOUT_MS)
            throw new Error(`no RESTORE of ${msisdn} within ${RESTORE_TIMEOUT_MS / 1000} s of its clearance`);
          await sleep(POLL_MS);
        }
        polls++;
        pollingMs += performance.now() - before;
      }
      latencies.push(performance.now() - started);
      await cleared;
    }
    return { latencyMs: summarise(latencies), pollPeriodMs: pollingMs / polls };
  } finally {
    police.close();
    await db.end();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
