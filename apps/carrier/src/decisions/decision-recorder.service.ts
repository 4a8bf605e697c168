import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Action, noticeText, type Decision, type RuleDemotion } from '@app/domain';
import { outsideTransaction, type TransactionHooks } from '@app/persistence';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { demotionMessage } from '../rule-budget/rule-budget-messages';
import { RuleBudgetRepository } from '../rule-budget/rule-budget.repository';
import { decisionId } from './decision-id';
import { DecisionsRepository, type OutboxMessage } from './decisions.repository';

/** Steps that list a number in the shared registry. */
const FLAGGED: ReadonlySet<Action> = new Set([Action.Restrict, Action.Suspend]);

/**
 * Makes decisions durable: each with its notice and its outbox messages (a flag
 * for the registry, a copy for the administration) in one transaction. Callers
 * queue decisions and await them; queued decisions are written together (group
 * commit), so a burst costs one transaction, not one per decision. The
 * demotions a batch tripped (error budget per rule) are written in the same
 * transaction as its decisions.
 */
@Injectable()
export class DecisionRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(DecisionRecorder.name);
  private queue: { decision: Decision; done: (error?: unknown) => void }[] = [];
  private demotions: { demotion: RuleDemotion; done: (error?: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repository: DecisionsRepository,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    private readonly metrics: CarrierMetrics,
    private readonly ruleBudgets: RuleBudgetRepository,
  ) {}

  /** Queues decisions and the demotions they tripped; resolves once they are committed, together. */
  record(decisions: readonly Decision[], demotions: readonly RuleDemotion[] = []): Promise<void> {
    if (decisions.length === 0 && demotions.length === 0) return Promise.resolve();
    const queued = (push: (done: (error?: unknown) => void) => void) =>
      new Promise<void>((resolve, reject) => push((error) => (error ? reject(error) : resolve())));
    // Everything of the call is queued before a flush starts, so a batch's demotions meet its decisions.
    const written = Promise.all([
      ...demotions.map((demotion) => queued((done) => this.demotions.push({ demotion, done }))),
      ...decisions.map((decision) => queued((done) => this.queue.push({ decision, done }))),
    ]).then(() => undefined);
    // The flush writes for every caller in a transaction of its own, whoever happens to start it.
    this.flushing ??= outsideTransaction(() => this.flush());
    return written;
  }

  /** Writes decisions in the caller's transaction (a write that must commit with them); counted once it commits. */
  async recordIn(
    em: EntityManager,
    hooks: TransactionHooks,
    decisions: readonly Decision[],
    demotions: readonly RuleDemotion[] = [],
  ): Promise<void> {
    if (decisions.length === 0 && demotions.length === 0) return;
    const rows = decisions.map((decision) => ({ id: decisionId(decision), decision, notice: noticeText(decision) }));
    await this.repository.insertIn(em, rows, [
      ...rows.flatMap(({ id, decision }) => this.messagesFor(id, decision)),
      ...this.demotionMessages(demotions),
    ]);
    await this.ruleBudgets.insertIn(em, demotions);
    hooks.onCommit(() => {
      this.metrics.decided(decisions);
      this.metrics.demoted(demotions);
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0 || this.demotions.length > 0) {
      const demoted = this.demotions.splice(0);
      // Demotions (rare) go with every decision queued beside them: the decisions of their batch among them.
      const group = demoted.length > 0 ? this.queue.splice(0) : this.queue.splice(0, 1000);
      const done = (error?: unknown) => {
        group.forEach((p) => p.done(error));
        demoted.forEach((p) => p.done(error));
      };
      try {
        const rows = group.map(({ decision }) => ({
          id: decisionId(decision),
          decision,
          notice: noticeText(decision),
        }));
        const demotions = demoted.map((p) => p.demotion);
        await this.repository.insert(
          rows,
          [...rows.flatMap(({ id, decision }) => this.messagesFor(id, decision)), ...this.demotionMessages(demotions)],
          demotions.length > 0 ? (em) => this.ruleBudgets.insertIn(em, demotions) : undefined,
        );
        this.metrics.decided(rows.map((r) => r.decision));
        this.metrics.demoted(demotions);
        done();
      } catch (error) {
        this.logger.error(
          `recording ${group.length} decisions and ${demoted.length} demotions failed: ${(error as Error).message}`,
        );
        done(error);
      }
    }
    this.flushing = null;
  }

  /** The active ladder's demotions go to the administration, as its decisions do. */
  private demotionMessages(demotions: readonly RuleDemotion[]): OutboxMessage[] {
    return demotions.filter((d) => !d.shadow).map((d) => demotionMessage(this.config.carrierId, d));
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
