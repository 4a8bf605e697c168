import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { toTimestamp, type carrier } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { MAX_WHY_LENGTH, RuleBudgetService, type LadderRuleBudget } from './rule-budget.service';

@Controller()
export class RuleBudgetController implements Pick<
  carrier.CarrierServiceController,
  'listRuleBudgets' | 'reenableRule'
> {
  constructor(private readonly budgets: RuleBudgetService) {}

  @GrpcMethod('CarrierService', 'ListRuleBudgets')
  @Roles(RoleKind.Carrier, RoleKind.Admin, RoleKind.Analyst)
  listRuleBudgets(): carrier.ListRuleBudgetsResponse {
    return { budgets: this.budgets.list().map(toWireBudget) };
  }

  @GrpcMethod('CarrierService', 'ReenableRule')
  @Roles(RoleKind.Carrier)
  @Audited<carrier.ReenableRuleRequest>((request) => ({
    purpose: request.why?.slice(0, MAX_WHY_LENGTH),
    detail: { policy: request.policy?.slice(0, 64) ?? null, reason: request.reason?.slice(0, 64) ?? null },
  }))
  async reenableRule(request: carrier.ReenableRuleRequest, metadata: Metadata): Promise<carrier.ReenableRuleResponse> {
    const { budgets, at } = await this.budgets.reenable(request, principalOf(metadata).subject);
    return { budgets: budgets.map(toWireBudget), reenabledAt: toTimestamp(at) };
  }
}

function toWireBudget(b: LadderRuleBudget): carrier.RuleBudget {
  return {
    policy: b.policy,
    shadow: b.shadow,
    reason: b.reason,
    actions: b.actions,
    mistakes: b.mistakes,
    demoted: b.demotedSince !== undefined,
    demotedSince: b.demotedSince === undefined ? undefined : toTimestamp(new Date(b.demotedSince)),
    windowDays: b.windowDays,
  };
}
