import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { SubscriberEvent } from '@app/domain';
import { outsideTransaction } from '@app/persistence';
import type { DecisionRecorder, RecordedStep } from '../decisions/decision-recorder.service';
import type { SubscribersRepository } from '../subscribers/subscribers.repository';
import type { EvidenceRepository } from './evidence.repository';

/** One input the engine applied, with everything it led to: written together, or not at all. */
export interface JournalUnit extends RecordedStep {
  seq: number;
  /** The input, encoded (encodeJournalEntry). */
  entry: Uint8Array;
  /** Subscriber records among its events: the directory the decisions' explanations read. */
  directory?: readonly SubscriberEvent[];
}

/** Units written per transaction: a burst costs one commit, not one per batch. */
const UNITS_PER_TRANSACTION = 64;

interface Queued {
  unit: JournalUnit;
  done: (error?: unknown) => void;
}

/**
 * Writes the engine's inputs in the order it applied them (group commit): the
 * units queued while a transaction commits go together in the next one, each
 * whole with its journal row, directory records, decisions, callee warnings and
 * demotions. A failed write fails its units and every unit queued after them
 * (they were analysed on top of the failed ones), and the writer refuses every
 * later one: the engine is then ahead of the database, and is rebuilt with a
 * writer of its own.
 */
export class JournalWriter {
  private readonly logger = new Logger('JournalWriter');
  private queue: Queued[] = [];
  private flushing: Promise<void> | null = null;
  private failure: Error | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly evidence: EvidenceRepository,
    private readonly subscribers: SubscribersRepository,
    private readonly recorder: DecisionRecorder,
    private readonly lineage: number,
    private readonly onFailure: (error: Error) => void,
  ) {}

  /** Queues a unit; resolves once it is committed, rejects if it never will be. */
  write(unit: JournalUnit): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const written = new Promise<void>((resolve, reject) =>
      this.queue.push({ unit, done: (error) => (error ? reject(error) : resolve()) }),
    );
    this.flushing ??= outsideTransaction(() => this.flush());
    return written;
  }

  /** Resolves once every unit queued so far is committed; rejects with the failure if one was not. */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) {
      const group = this.queue.splice(0, UNITS_PER_TRANSACTION);
      try {
        const counted = await this.dataSource.transaction(async (em) => {
          await this.evidence.appendIn(
            em,
            this.lineage,
            group.map(({ unit }) => ({ seq: unit.seq, entry: unit.entry })),
          );
          const directory = group.flatMap(({ unit }) => unit.directory ?? []);
          if (directory.length > 0) await this.subscribers.upsert(directory, em);
          return this.recorder.writeIn(
            em,
            group.map(({ unit }) => unit),
          );
        });
        counted();
        for (const q of group) q.done();
      } catch (error) {
        this.fail(error as Error, group);
      }
    }
    this.flushing = null;
  }

  private fail(error: Error, group: Queued[]): void {
    const behind = this.queue.splice(0);
    const units = group.length + behind.length;
    this.failure = error;
    this.logger.error(
      `writing the engine's inputs ${group[0].unit.seq} to ${group[0].unit.seq + units - 1} failed ` +
        `(${error.message}): none of them is applied`,
    );
    for (const q of [...group, ...behind]) q.done(error);
    this.onFailure(error);
  }
}
