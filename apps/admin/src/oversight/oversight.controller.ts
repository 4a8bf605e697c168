import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { toOptionalTimestamp, toTimestamp, type admin } from '@app/contracts';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import type { DemotedRule } from './figures';
import { OversightService } from './oversight.service';

const GRPC_FIELDS = { from: 'from_day', to: 'to_day', carrier: 'carrier' };

@Controller()
export class OversightController implements Pick<admin.AdminServiceController, 'getOversight'> {
  constructor(private readonly oversight: OversightService) {}

  /** A carrier token reads its own carrier's figures only (OversightScope). */
  @GrpcMethod('AdminService', 'GetOversight')
  @Roles(RoleKind.Admin, RoleKind.Analyst, RoleKind.Carrier)
  async getOversight(request: admin.GetOversightRequest, metadata: Metadata): Promise<admin.GetOversightResponse> {
    const figures = await this.oversight.figures(principalOf(metadata), {
      from: request.fromDay,
      to: request.toDay,
      carrier: request.carrier,
      fields: GRPC_FIELDS,
    });
    return {
      rows: figures.rows,
      // The proto carries each carrier's totals; the per-reason split is on the JSON API.
      quality: figures.quality.map(({ byReason: _byReason, ...totals }) => totals),
      topReported: figures.topReported,
      multiCarrier: figures.multiCarrier,
      calleeWarnings: figures.calleeWarnings,
      demotedRules: figures.demotedRules.map(({ carrier, inForce, rules }) => ({
        carrier,
        inForce,
        rules: rules.map(toWireDemotion),
      })),
    };
  }
}

/** A demoted rule as the feed carries it: absent re-enable fields are empty. */
function toWireDemotion(rule: DemotedRule): admin.RuleDemotion {
  return {
    policy: rule.policy,
    reason: rule.reason,
    demotedAt: toTimestamp(rule.demotedAt),
    mistakes: rule.mistakes,
    actions: rule.actions,
    windowDays: rule.windowDays,
    reenabledAt: toOptionalTimestamp(rule.reenabledAt),
    reenabledBy: rule.reenabledBy ?? '',
    why: rule.why ?? '',
  };
}
