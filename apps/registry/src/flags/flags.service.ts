import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  applyFlag,
  CLOCK,
  NOT_LISTED,
  validateFlagBatch,
  type Clock,
  type Flag,
  type FlagInput,
  type NumberState,
  type RegistryStatus,
} from '@app/domain';
import { RoleKind, type Principal } from '@app/grpc';
import { idempotentWrites, type StoredAnswer } from '@app/persistence';
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

type FlagAnswer = Omit<FlagResult, 'replayed'>;

/** A flag with its key in the registry: a source never contains '/', so `carrier:CMCC/key` names one source's key. */
type KeyedFlag = Flag & { key: string };

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
    const batch = validateFlagBatch(
      inputs.map((input) => withCallerProvince(caller, input)),
      now,
    );
    batch.forEach((flag, i) => assertOwnSource(caller, flag.source, `flags[${i}].source`));
    const answers = await idempotentWrites<KeyedFlag, FlagAnswer>({
      dataSource: this.dataSource,
      scope: 'registry.flag',
      requests: batch.map((flag) => ({ ...flag, key: keyOf(flag) })),
      find: async (em) =>
        new Map((await this.flags.findByKeys(em, batch)).map((row) => [keyOf(row), storedAnswerOf(row)])),
      apply: (em, fresh) => this.apply(em, fresh, now),
      // A key repeated in the batch with other content was refused by validateFlagBatch.
      reused: (i) =>
        new FlagsError(
          'KEY_REUSED',
          'was already used for a flag with different content',
          `flags[${i}].idempotency_key`,
        ),
    });
    // Every answer's version is committed: the feed shows them all before the caller reads it.
    await this.feed.catchUpTo(Math.max(...answers.map(({ result }) => result.version)));
    return batch.map((flag, i) => {
      const result = { ...answers[i].result, replayed: answers[i].replayed };
      this.metrics.flagged(
        flag.source,
        result.replayed ? 'replayed' : result.protectedByClearance ? 'protected' : 'accepted',
      );
      return result;
    });
  }

  /** The flags with new keys, each once: their numbers' changes and their rows. */
  private async apply(em: EntityManager, fresh: readonly Flag[], now: Date): Promise<FlagAnswer[]> {
    const states = await this.numbers.lockStates(
      em,
      fresh.map((flag) => flag.msisdn),
    );
    const changes: NewStatusChange[] = [];
    // Per flag: index of the change it caused or saw last for its number, or -1.
    const changeIndex: number[] = [];
    const lastChangeOf = new Map<string, number>();
    const outcomes = fresh.map((flag, i) => {
      const state: NumberState = states.get(flag.msisdn) ?? NOT_LISTED;
      const outcome = applyFlag(state, { observedAt: flag.observedAt, windowStart: flag.evidence.windowStart });
      if (outcome.changed) {
        changes.push({
          msisdn: flag.msisdn,
          status: outcome.status,
          previousStatus: state.status,
          cause: 'FLAG',
          changedAt: now,
          clearedAt: null,
        });
        lastChangeOf.set(flag.msisdn, changes.length - 1);
        states.set(flag.msisdn, { ...state, status: outcome.status });
      }
      changeIndex[i] = lastChangeOf.get(flag.msisdn) ?? -1;
      return { outcome, baseVersion: state.version };
    });
    const numbered = await this.numbers.recordChanges(em, changes);

    const answers: FlagAnswer[] = [];
    const rows: NewFlagRow[] = outcomes.map(({ outcome, baseVersion }, i) => {
      const flag = fresh[i];
      const ci = changeIndex[i];
      const version = ci >= 0 ? numbered[ci].version : baseVersion;
      answers.push({
        idempotencyKey: flag.idempotencyKey,
        msisdn: flag.msisdn,
        status: outcome.status,
        version,
        protectedByClearance: outcome.protectedByClearance,
      });
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
    return answers;
  }
}

function keyOf(flag: { source: string; idempotencyKey: string }): string {
  return `${flag.source}/${flag.idempotencyKey}`;
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

function storedAnswerOf(row: FlagEntity): StoredAnswer<FlagAnswer> {
  return {
    contentHash: row.contentHash,
    result: {
      idempotencyKey: row.idempotencyKey,
      msisdn: row.msisdn,
      status: row.resultStatus,
      version: Number(row.resultVersion),
      protectedByClearance: row.protectedByClearance,
    },
  };
}
