import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  Action,
  calleeWarningText,
  ladderLevel,
  noticeText,
  type CalleeWarning,
  type Decision,
  type RuleDemotion,
  type Rules,
} from '@app/domain';
import { outsideTransaction, type TransactionHooks } from '@app/persistence';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { ReviewTasksRepository, type NewReviewTask } from '../reviews/review-tasks.repository';
import { demotionMessage } from '../rule-budget/rule-budget-messages';
import { RuleBudgetRepository } from '../rule-budget/rule-budget.repository';
import { calleeWarningId, decisionId } from './decision-id';
import { DecisionsRepository, type CalleeWarningRow, type OutboxMessage } from './decisions.repository';

/** What comes with a batch's decisions. */
export interface RecordOptions {
  /** Callees to warn (policy.calleeProtection): stored, with their SMS, in the decisions' transaction. */
  calleeWarnings?: readonly CalleeWarning[];
  /** Reasons the batch demoted (error budget per rule): written with its decisions, in one transaction. */
  demotions?: readonly RuleDemotion[];
  /** The active policy's rules, for the notices' texts (essentials, labelled calls); absent: the defaults. */
  rules?: Rules;
}

/** One thing to write: a decision, a callee warning or a demotion, with the rules of its batch. */
interface Queued {
  decision?: Decision;
  warning?: CalleeWarning;
  demotion?: RuleDemotion;
  rules: Rules | undefined;
  done: (error?: unknown) => void;
}

/** A decision's notice under the rules it was taken with. */
function noticeOf(decision: Decision, rules: Rules | undefined): string | undefined {
  const protection = rules?.calleeProtection;
  return noticeText(decision, rules?.essentials, {
    labelsCallsToStrangers: protection !== undefined && ladderLevel(Action.Warn) >= protection.fromLevel,
  });
}

function warningRow(warning: CalleeWarning): CalleeWarningRow {
  return { id: calleeWarningId(warning), warning, notice: calleeWarningText(warning).zh };
}

/** Steps that list a number in the shared registry. */
const FLAGGED: ReadonlySet<Action> = new Set([Action.Restrict, Action.Suspend]);

/**
 * Makes decisions durable: each with its notice, its outbox messages (a flag
 * for the registry, a copy for the administration) and the review task it opens
 * (an active decision holding a suspension back for a person) in one
 * transaction, with the callee warnings of the same batch and their SMS. Callers
 * queue decisions and await them; queued decisions are written together (group
 * commit), so a burst costs one transaction, not one per decision. The
 * demotions a batch tripped (error budget per rule) are written in the same
 * transaction as its decisions.
 */
@Injectable()
export class DecisionRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(DecisionRecorder.name);
  private queue: Queued[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repository: DecisionsRepository,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    private readonly metrics: CarrierMetrics,
    private readonly reviews: ReviewTasksRepository,
    private readonly ruleBudgets: RuleBudgetRepository,
  ) {}

  /** Queues decisions with the callee warnings and demotions of their batch; resolves once all are committed. */
  record(decisions: readonly Decision[], options: RecordOptions = {}): Promise<void> {
    const warnings = options.calleeWarnings ?? [];
    const demotions = options.demotions ?? [];
    if (decisions.length === 0 && warnings.length === 0 && demotions.length === 0) return Promise.resolve();
    const { rules } = options;
    const queued = (entry: Omit<Queued, 'rules' | 'done'>) =>
      new Promise<void>((resolve, reject) => {
        this.queue.push({ ...entry, rules, done: (error) => (error ? reject(error) : resolve()) });
      });
    // Everything of the call is queued before a flush starts, so a batch's demotions meet its decisions.
    const written = Promise.all([
      ...demotions.map((demotion) => queued({ demotion })),
      ...decisions.map((decision) => queued({ decision })),
      ...warnings.map((warning) => queued({ warning })),
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
    options: Pick<RecordOptions, 'rules' | 'demotions'> = {},
  ): Promise<void> {
    const demotions = options.demotions ?? [];
    if (decisions.length === 0 && demotions.length === 0) return;
    const rows = decisions.map((decision) => ({
      id: decisionId(decision),
      decision,
      notice: noticeOf(decision, options.rules),
    }));
    await this.repository.insertIn(em, rows, [
      ...rows.flatMap(({ id, decision }) => this.messagesFor(id, decision)),
      ...this.demotionMessages(demotions),
    ]);
    await this.reviews.openIn(em, reviewTasksOf(rows));
    await this.ruleBudgets.insertIn(em, demotions);
    hooks.onCommit(() => {
      this.metrics.decided(decisions);
      this.metrics.demoted(demotions);
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      // Demotions (rare) go with everything queued beside them: the decisions of their batch among them.
      const group = this.queue.some((q) => q.demotion) ? this.queue.splice(0) : this.queue.splice(0, 1000);
      try {
        const rows: { id: string; decision: Decision; notice?: string }[] = [];
        const warnings: CalleeWarningRow[] = [];
        const demotions: RuleDemotion[] = [];
        for (const { decision, warning, demotion, rules } of group) {
          if (decision) rows.push({ id: decisionId(decision), decision, notice: noticeOf(decision, rules) });
          else if (warning) warnings.push(warningRow(warning));
          else if (demotion) demotions.push(demotion);
        }
        const tasks = reviewTasksOf(rows);
        const alsoIn =
          tasks.length > 0 || demotions.length > 0
            ? async (em: EntityManager) => {
                await this.reviews.openIn(em, tasks);
                await this.ruleBudgets.insertIn(em, demotions);
              }
            : undefined;
        const warned = await this.repository.insert(
          rows,
          [...rows.flatMap(({ id, decision }) => this.messagesFor(id, decision)), ...this.demotionMessages(demotions)],
          warnings,
          alsoIn,
        );
        this.metrics.decided(rows.map((r) => r.decision));
        this.metrics.calleesWarned(warned);
        this.metrics.demoted(demotions);
        group.forEach((p) => p.done());
      } catch (error) {
        this.logger.error(
          `recording ${group.length} decisions, warnings and demotions failed: ${(error as Error).message}`,
        );
        group.forEach((p) => p.done(error));
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
