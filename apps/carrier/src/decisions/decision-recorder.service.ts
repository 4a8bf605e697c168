import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Action, noticeText, type Decision } from '@app/domain';
import { outsideTransaction, type TransactionHooks } from '@app/persistence';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { ReviewTasksRepository, type NewReviewTask } from '../reviews/review-tasks.repository';
import { decisionId } from './decision-id';
import { DecisionsRepository, type OutboxMessage } from './decisions.repository';

/** Steps that list a number in the shared registry. */
const FLAGGED: ReadonlySet<Action> = new Set([Action.Restrict, Action.Suspend]);

/**
 * Makes decisions durable: each with its notice, its outbox messages (a flag
 * for the registry, a copy for the administration) and the review task it opens
 * (an active decision holding a suspension back for a person) in one transaction. Callers
 * queue decisions and await them; queued decisions are written together (group
 * commit), so a burst costs one transaction, not one per decision.
 */
@Injectable()
export class DecisionRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(DecisionRecorder.name);
  private queue: { decision: Decision; done: (error?: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repository: DecisionsRepository,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    private readonly metrics: CarrierMetrics,
    private readonly reviews: ReviewTasksRepository,
  ) {}

  record(decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return Promise.resolve();
    return Promise.all(
      decisions.map(
        (decision) =>
          new Promise<void>((resolve, reject) => {
            this.queue.push({ decision, done: (error) => (error ? reject(error) : resolve()) });
            // The flush writes for every caller in a transaction of its own, whoever happens to start it.
            this.flushing ??= outsideTransaction(() => this.flush());
          }),
      ),
    ).then(() => undefined);
  }

  /** Writes decisions in the caller's transaction (a write that must commit with them); counted once it commits. */
  async recordIn(em: EntityManager, hooks: TransactionHooks, decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    const rows = decisions.map((decision) => ({ id: decisionId(decision), decision, notice: noticeText(decision) }));
    await this.repository.insertIn(
      em,
      rows,
      rows.flatMap(({ id, decision }) => this.messagesFor(id, decision)),
    );
    await this.reviews.openIn(em, reviewTasksOf(rows));
    hooks.onCommit(() => this.metrics.decided(decisions));
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, 1000);
      try {
        const rows = group.map(({ decision }) => ({
          id: decisionId(decision),
          decision,
          notice: noticeText(decision),
        }));
        const tasks = reviewTasksOf(rows);
        await this.repository.insert(
          rows,
          rows.flatMap(({ id, decision }) => this.messagesFor(id, decision)),
          tasks.length > 0 ? (em) => this.reviews.openIn(em, tasks) : undefined,
        );
        this.metrics.decided(rows.map((r) => r.decision));
        group.forEach((p) => p.done());
      } catch (error) {
        this.logger.error(`recording ${group.length} decisions failed: ${(error as Error).message}`);
        group.forEach((p) => p.done(error));
      }
    }
    this.flushing = null;
  }

  /** Active decisions go to the administration; restrictions and suspensions also flag the registry. */
  private messagesFor(id: string, decision: Decision): OutboxMessage[] {
    if (decision.shadow) return [];
    const messages: OutboxMessage[] = [
      {
        destination: 'ADMIN',
        idempotencyKey: `${this.config.carrierId}-decision-${id}`,
        msisdn: decision.msisdn,
        payload: { ...decision, id, carrier: this.config.carrierId },
      },
    ];
    if (FLAGGED.has(decision.action)) {
      messages.push({
        destination: 'REGISTRY',
        idempotencyKey: `${this.config.carrierId}-${id}`,
        msisdn: decision.msisdn,
        payload: {
          msisdn: decision.msisdn,
          source: `carrier:${this.config.carrierId}`,
          reasonCodes: decision.reasons,
          score: decision.score,
          evidence: decision.evidence,
          observedAt: decision.at,
        },
      });
    }
    return messages;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing;
  }
}

/** The review tasks decisions open: one per active decision that holds a suspension back for a person. */
function reviewTasksOf(rows: readonly { id: string; decision: Decision }[]): NewReviewTask[] {
  return rows
    .filter(({ decision }) => decision.reviewRequested && !decision.shadow)
    .map(({ id, decision }) => ({
      decisionId: id,
      msisdn: decision.msisdn,
      openedAt: new Date(decision.at),
      reasons: decision.reasons,
      score: decision.score,
      policy: decision.policy,
    }));
}
