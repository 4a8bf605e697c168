import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { applyFlag, CLOCK, NOT_LISTED, validateFlagBatch, type Clock, type Flag, type FlagInput, type NumberState, type RegistryStatus } from '@app/domain';
import { RoleKind, type Principal } from '@app/grpc';
import { lockIdempotencyKeys, retryOnUniqueViolation } from '@app/persistence';
import { ChangeFeed } from '../numbers/change-feed.service';
import { NumbersRepository, type NewStatusChange } from '../numbers/numbers.repository';
import { RegistryMetrics } from '../numbers/registry-metrics';
import type { FlagEntity } from './flag.entity';
import { FlagsError } from './flags.errors';
import { FlagsRepository, type NewFlagRow } from './flags.repository';

export interface FlagResult {
  idempotencyKey: string;
  msisdn: string;
  status: RegistryStatus;
  version: number;
  protectedByClearance: boolean;
  replayed: boolean;
}

interface Applied {
  results: FlagResult[];
  version: number;
}

@Injectable()
export class FlagsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly flags: FlagsRepository,
    private readonly numbers: NumbersRepository,
    private readonly feed: ChangeFeed,
    private readonly metrics: RegistryMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Applies a batch atomically: all flags or none. A key seen before with the same
   * content returns its first result; with other content the batch is refused.
   * The batch's keys are locked first, so a concurrent retry (here or on another
   * replica) waits for the first and replays it.
   */
  async submit(caller: Principal, inputs: FlagInput[]): Promise<FlagResult[]> {
    const now = this.clock.now();
    const batch = validateFlagBatch(inputs.map((input) => withCallerProvince(caller, input)), now);
    batch.forEach((flag, i) => assertOwnSource(caller, flag.source, `flags[${i}].source`));
    const applied = await retryOnUniqueViolation(() =>
      this.dataSource.transaction(async (em) => {
        // A source never contains '/': `carrier:CMCC/key` names one source's key.
        await lockIdempotencyKeys(em, 'registry.flag', batch.map((flag) => `${flag.source}/${flag.idempotencyKey}`));
        return this.apply(em, batch, now);
      }),
    );
    await this.feed.catchUpTo(applied.version);
    batch.forEach((flag, i) => {
      const result = applied.results[i];
      this.metrics.flagged(flag.source, result.replayed ? 'replayed' : result.protectedByClearance ? 'protected' : 'accepted');
    });
    return applied.results;
  }

  private async apply(em: EntityManager, batch: Flag[], now: Date): Promise<Applied> {
    const keyOf = (f: { source: string; idempotencyKey: string }) => `${f.source}\u0000${f.idempotencyKey}`;
    const stored = new Map((await this.flags.findByKeys(em, batch)).map((row) => [keyOf(row), row]));
    const results: (FlagResult | undefined)[] = new Array(batch.length);
    const fresh: number[] = [];
    const firstInBatch = new Map<string, number>();
    batch.forEach((flag, i) => {
      const row = stored.get(keyOf(flag));
      if (row) {
        if (row.contentHash !== flag.contentHash) {
          throw new FlagsError('KEY_REUSED', 'was already used for a flag with different content', `flags[${i}].idempotency_key`);
        }
        results[i] = replayOf(row);
      } else if (!firstInBatch.has(keyOf(flag))) {
        firstInBatch.set(keyOf(flag), i);
        fresh.push(i);
      }
    });
    if (fresh.length === 0) return { results: fillRepeats(batch, results, firstInBatch, keyOf), version: 0 };

    const states = await this.numbers.lockStates(em, fresh.map((i) => batch[i].msisdn));
    const changes: NewStatusChange[] = [];
    // Per flag: index of the change it caused or saw last for its number, or -1.
    const changeIndex = new Map<number, number>();
    const lastChangeOf = new Map<string, number>();
    const outcomes = fresh.map((i) => {
      const flag = batch[i];
      const state: NumberState = states.get(flag.msisdn) ?? NOT_LISTED;
      const outcome = applyFlag(state, { observedAt: flag.observedAt, windowStart: flag.evidence.windowStart });
      if (outcome.changed) {
        changes.push({ msisdn: flag.msisdn, status: outcome.status, previousStatus: state.status, cause: 'FLAG', changedAt: now, clearedAt: null });
        lastChangeOf.set(flag.msisdn, changes.length - 1);
        states.set(flag.msisdn, { ...state, status: outcome.status });
      }
      changeIndex.set(i, lastChangeOf.get(flag.msisdn) ?? -1);
      return { i, outcome, baseVersion: state.version };
    });
    const numbered = await this.numbers.recordChanges(em, changes);

    const rows: NewFlagRow[] = outcomes.map(({ i, outcome, baseVersion }) => {
      const flag = batch[i];
      const ci = changeIndex.get(i) ?? -1;
      const version = ci >= 0 ? numbered[ci].version : baseVersion;
      results[i] = { idempotencyKey: flag.idempotencyKey, msisdn: flag.msisdn, status: outcome.status, version, protectedByClearance: outcome.protectedByClearance, replayed: false };
      return {
        source: flag.source,
        idempotencyKey: flag.idempotencyKey,
        contentHash: flag.contentHash,
        msisdn: flag.msisdn,
        reasonCodes: flag.reasonCodes,
        score: flag.score,
        evidence: flag.evidence,
        observedAt: flag.observedAt,
        receivedAt: now,
        resultStatus: outcome.status,
        resultVersion: String(version),
        protectedByClearance: outcome.protectedByClearance,
      };
    });
    await this.flags.insert(em, rows);
    return { results: fillRepeats(batch, results, firstInBatch, keyOf), version: numbered.at(-1)?.version ?? 0 };
  }
}

/**
 * The registry is national: every province's administration flags here, and its
 * flags are recorded as `admin:<province>`. A flag sent as plain `admin` is the
 * caller's province's.
 */
function withCallerProvince(caller: Principal, input: FlagInput): FlagInput {
  return caller.kind === RoleKind.Admin && input.source === 'admin' ? { ...input, source: caller.role } : input;
}

/** A caller flags in its own name only: a carrier as itself, an administration as its province. */
export function assertOwnSource(caller: Principal, source: string, field: string): void {
  const allowed = caller.kind === RoleKind.Carrier || caller.kind === RoleKind.Admin ? [caller.role] : [];
  if (!allowed.includes(source)) {
    throw new FlagsError('SOURCE_NOT_CALLER', `a ${caller.role} token cannot submit flags as "${source}"`, field);
  }
}

function replayOf(row: FlagEntity): FlagResult {
  return {
    idempotencyKey: row.idempotencyKey,
    msisdn: row.msisdn,
    status: row.resultStatus,
    version: Number(row.resultVersion),
    protectedByClearance: row.protectedByClearance,
    replayed: true,
  };
}

/** A key repeated within one batch gets the result of its first occurrence. */
function fillRepeats(batch: Flag[], results: (FlagResult | undefined)[], firstInBatch: Map<string, number>, keyOf: (f: Flag) => string): FlagResult[] {
  return batch.map((flag, i) => {
    const own = results[i];
    if (own) return own;
    const first = results[firstInBatch.get(keyOf(flag)) ?? -1];
    if (!first) throw new Error(`no result for flag ${i}`);
    return { ...first, replayed: true };
  });
}
