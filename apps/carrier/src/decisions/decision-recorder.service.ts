import { Inject, Injectable } from '@nestjs/common';
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
import type { TransactionHooks } from '@app/persistence';
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

/** What one input of the engine led to, with the rules it was decided under. */
export interface RecordedStep extends RecordOptions {
  decisions: readonly Decision[];
}

/**
 * Makes decisions durable, inside the transaction of the input that led to them
 * (a batch's journal row, a request's own rows): each decision with its notice,
 * its outbox messages (a flag for the registry, a copy for the administration)
 * and the review task it opens (an active decision holding a suspension back for
 * a person), the callee warnings with their SMS, and the demotions the step
 * tripped (error budget per rule). Counted in the metrics once committed.
 */
@Injectable()
export class DecisionRecorder {
  constructor(
    private readonly repository: DecisionsRepository,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    private readonly metrics: CarrierMetrics,
    private readonly reviews: ReviewTasksRepository,
    private readonly ruleBudgets: RuleBudgetRepository,
  ) {}

  /**
   * Writes the steps' decisions, warnings and demotions with `em`; answers what
   * to count once the transaction commits (rows already there are left alone).
   */
  async writeIn(em: EntityManager, steps: readonly RecordedStep[]): Promise<() => void> {
    const rows: { id: string; decision: Decision; notice?: string }[] = [];
    const warnings: CalleeWarningRow[] = [];
    const demotions: RuleDemotion[] = [];
    for (const step of steps) {
      for (const decision of step.decisions)
        rows.push({ id: decisionId(decision), decision, notice: noticeOf(decision, step.rules) });
      for (const warning of step.calleeWarnings ?? []) warnings.push(warningRow(warning));
      demotions.push(...(step.demotions ?? []));
    }
    if (rows.length === 0 && warnings.length === 0 && demotions.length === 0) return () => undefined;
    await this.repository.insertIn(em, rows, [
      ...rows.flatMap(({ id, decision }) => this.messagesFor(id, decision)),
      ...this.demotionMessages(demotions),
    ]);
    await this.reviews.openIn(em, reviewTasksOf(rows));
    await this.ruleBudgets.insertIn(em, demotions);
    const warned = await this.repository.insertCalleeWarnings(em, warnings);
    return () => {
      this.metrics.decided(rows.map((r) => r.decision));
      this.metrics.calleesWarned(warned);
      this.metrics.demoted(demotions);
    };
  }

  /** Writes decisions in the caller's transaction (a write that must commit with them); counted once it commits. */
  async recordIn(
    em: EntityManager,
    hooks: TransactionHooks,
    decisions: readonly Decision[],
    options: RecordOptions = {},
  ): Promise<void> {
    hooks.onCommit(await this.writeIn(em, [{ ...options, decisions }]));
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
