import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CLOCK,
  signalIndexOf,
  ValidationError,
  ValidationErrorCode,
  type Clock,
  type LadderView,
  type RuleBudgetFigures,
} from '@app/domain';
import { AnalysisService } from '../analysis/analysis.service';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { DecisionsRepository } from '../decisions/decisions.repository';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { parsePolicyRef } from '../policies/policy-input';
import { textField } from '../requests/text-field';
import { reenableMessage } from './rule-budget-messages';
import { RuleBudgetError } from './rule-budget.errors';
import { RuleBudgetRepository } from './rule-budget.repository';

export const MAX_WHY_LENGTH = 500;
/** How long the same re-enable sent again is answered as the first was, rather than refused as not demoted. */
export const RETRY_WINDOW_MS = 24 * 3600_000;

/** One reason's budget on one running ladder. */
export interface LadderRuleBudget extends RuleBudgetFigures {
  policy: string;
  shadow: boolean;
  windowDays: number;
}

export interface RuleReenableRequest {
  policy: string | undefined;
  reason: string | undefined;
  why: string | undefined;
}

/**
 * The error budget per rule as operators see it: each running ladder's
 * reasons (from memory, where the engine counts them), and the re-enable of a
 * demoted one: recorded with who and why, sent to the administration, then
 * applied to the engine.
 */
@Injectable()
export class RuleBudgetService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly analysis: AnalysisService,
    private readonly repository: RuleBudgetRepository,
    private readonly decisions: DecisionsRepository,
    private readonly metrics: CarrierMetrics,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Every weighed reason of the running ladders with an error budget, active first. */
  list(): LadderRuleBudget[] {
    const now = this.clock.now().getTime();
    return this.ladders().flatMap((ladder) => budgetsOf(ladder, now));
  }

  async reenable(request: RuleReenableRequest, by: string): Promise<{ budgets: LadderRuleBudget[]; at: Date }> {
    const ref = parsePolicyRef(request.policy, 'policy');
    const policy = `${ref.name}@${ref.version}`;
    const reason = reasonOf(request.reason);
    const why = textField(request.why, 'why', { max: MAX_WHY_LENGTH, required: true });
    const at = this.clock.now();
    const demotedOn = this.ladders().filter(
      (ladder) =>
        ladder.label === policy &&
        ladder.ruleBudgets(at.getTime()).some((b) => b.reason === reason && b.demotedSince !== undefined),
    );
    if (demotedOn.length === 0) return this.retried(policy, reason, by, why, at);
    const ended = await this.dataSource.transaction(async (em) => {
      const rows = await this.repository.reenableIn(
        em,
        { policy, reason, shadows: demotedOn.map((l) => l.shadow) },
        at,
        by,
        why,
      );
      const active = rows.filter((r) => !r.shadow).map((r) => reenableMessage(this.config.carrierId, r));
      await this.decisions.insertIn(em, [], active);
      return rows;
    });
    // Demoted in memory but not stored as such (its write failed with its batch): memory gives it back all the same.
    const result = await this.analysis.apply({ kind: 'reenableRule', policyLabel: policy, reason, atMs: at.getTime() });
    const reenabled = result.reenabled ?? [];
    for (const r of reenabled) this.metrics.ruleDemotedState(r.policy, r.reason, r.shadow, false);
    // Ended by the same request sent twice at once: the other one's answer.
    if (ended.length === 0) return this.retried(policy, reason, by, why, at, reenabled.length > 0);
    const now = at.getTime();
    const budgets = demotedOn.flatMap((ladder) => budgetsOf(ladder, now).filter((b) => b.reason === reason));
    return { budgets, at };
  }

  /**
   * A request for a reason no longer demoted: a retry of the re-enable that ended
   * the demotion (the same caller, policy, reason and why, within RETRY_WINDOW_MS,
   * and not demoted again since) gets that re-enable's answer again, as the
   * caller that lost its answer expects; anything else is refused as not demoted.
   * `inMemory`: this request itself re-enabled the rule in the engine only (its
   * demotion was never stored), which it answers as made now.
   */
  private async retried(
    policy: string,
    reason: string,
    by: string,
    why: string,
    at: Date,
    inMemory = false,
  ): Promise<{ budgets: LadderRuleBudget[]; at: Date }> {
    const rows = await this.repository.reenabledAs(
      { policy, reason, by, why },
      new Date(at.getTime() - RETRY_WINDOW_MS),
    );
    const first = rows[0]?.reenabledAt;
    if (!first && !inMemory) throw notDemoted(policy, reason);
    const shadows = first
      ? new Set(rows.filter((r) => r.reenabledAt?.getTime() === first.getTime()).map((r) => r.shadow))
      : undefined;
    const now = at.getTime();
    const budgets = this.ladders()
      .filter((ladder) => ladder.label === policy && (shadows?.has(ladder.shadow) ?? true))
      .flatMap((ladder) => budgetsOf(ladder, now).filter((b) => b.reason === reason));
    return { budgets, at: first ?? at };
  }

  private ladders(): LadderView[] {
    const { primary, shadow } = this.analysis.state;
    return shadow ? [primary, shadow] : [primary];
  }
}

function budgetsOf(ladder: LadderView, atMs: number): LadderRuleBudget[] {
  const windowDays = ladder.rules.errorBudget?.windowDays ?? 0;
  return ladder.ruleBudgets(atMs).map((b) => ({ ...b, policy: ladder.label, shadow: ladder.shadow, windowDays }));
}

function reasonOf(reason: string | undefined): string {
  if (!reason)
    throw new ValidationError(ValidationErrorCode.Required, 'reason', 'the demoted reason code, e.g. NEW_SEGMENT');
  if (signalIndexOf(reason) < 0)
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'reason',
      `"${reason.slice(0, 40)}" is not a weighed reason code (ListRuleBudgets lists them)`,
    );
  return reason;
}

function notDemoted(policy: string, reason: string): Error {
  return new RuleBudgetError(
    'NOT_DEMOTED',
    `${reason} is not demoted on ${policy} (ListRuleBudgets shows the demoted reasons of the running policies)`,
    'reason',
  );
}
