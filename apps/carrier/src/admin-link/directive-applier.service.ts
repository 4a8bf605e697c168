import { Inject, Injectable, Logger } from '@nestjs/common';
import type { admin } from '@app/contracts';
import { Action, CLOCK, ValidationError, type Clock, type Msisdn } from '@app/domain';
import { AnalysisService } from '../analysis/analysis.service';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { DirectiveLogRepository } from './directive-log.repository';
import {
  kindName,
  readDirective,
  toWireAck,
  type DirectiveOrder,
  type DirectiveOutcome,
  type HighRiskCellList,
} from './directive.mapper';
import { cellCount, HighRiskCells } from './high-risk-cells.service';

/** Longest directive id directive_log keeps. */
const MAX_ID_LENGTH = 128;

const applied = (detail: string, state?: Action): DirectiveOutcome => ({ outcome: 'APPLIED', detail, state });
const rejected = (detail: string, state?: Action): DirectiveOutcome => ({ outcome: 'REJECTED', detail, state });

/**
 * Applies the administration's directives, each once: its outcome is stored
 * by directive id, and a directive received again (a redelivery after a lost
 * acknowledgement or a restart) is answered with the stored outcome. The
 * effect is stored before the outcome (a decision is durable once `apply`
 * resolves), so a crash in between applies it again, which then changes
 * nothing: the number is already on that step, the list already in force.
 */
@Injectable()
export class DirectiveApplier {
  private readonly logger = new Logger(DirectiveApplier.name);

  constructor(
    private readonly analysis: AnalysisService,
    private readonly cells: HighRiskCells,
    private readonly log: DirectiveLogRepository,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: CarrierMetrics,
  ) {}

  /**
   * The acknowledgement of `directive`; rejects only when it could not be
   * applied now (the database), to be retried.
   */
  async apply(directive: admin.Directive): Promise<admin.DirectiveAck> {
    const id = directive.directiveId;
    if (id === '' || id.length > MAX_ID_LENGTH)
      return toWireAck(id, rejected(`directive_id: must be 1 to ${MAX_ID_LENGTH} characters`));
    const stored = await this.log.find(id);
    if (stored) return toWireAck(id, stored);
    let order: DirectiveOrder;
    try {
      order = readDirective(directive);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const outcome = await this.log.record(id, kindName(directive.kind), undefined, rejected(error.message));
      this.metrics.directiveAnswered(directive, kindName(directive.kind), outcome.outcome, this.clock.now());
      return toWireAck(id, outcome);
    }
    const outcome = order.kind === 'HIGH_RISK_CELLS' ? await this.replaceCells(order.list) : await this.onNumber(order);
    this.logger.log(
      `directive ${id} (${order.kind}${order.kind === 'HIGH_RISK_CELLS' ? '' : ` ${order.msisdn}`}): ` +
        `${outcome.outcome}, ${outcome.detail}`,
    );
    const recorded = await this.log.record(
      id,
      order.kind,
      order.kind === 'HIGH_RISK_CELLS' ? undefined : order.msisdn,
      outcome,
    );
    this.metrics.directiveAnswered(directive, order.kind, recorded.outcome, this.clock.now());
    return toWireAck(id, recorded);
  }

  /**
   * The decision it leads to is taken now, when the carrier acts (a carrier that
   * was down acts late, and its decision says so), not at the issue time.
   */
  private async onNumber(order: Extract<DirectiveOrder, { msisdn: Msisdn }>): Promise<DirectiveOutcome> {
    const { msisdn } = order;
    const at = this.clock.now().getTime();
    const engine = this.analysis.state;
    if (engine.subscriberOf(msisdn)?.carrier !== this.config.carrierId)
      return rejected(`${msisdn} is not a subscriber of ${this.config.carrierId}`);
    if (order.expiresAt !== undefined && order.expiresAt <= at) {
      return rejected(
        `expired at ${new Date(order.expiresAt).toISOString()} before it arrived`,
        this.analysis.levelKnown(msisdn, at),
      );
    }
    // Applied by the shard that keeps the number (in shard mode), which says where it left it.
    const { result, about } = await this.analysis.applyAbout(
      order.kind === 'REVIEW'
        ? { kind: 'review', msisdn, atMs: at }
        : { kind: 'directive', msisdn, action: order.kind === 'SUSPEND' ? Action.Suspend : Action.Restore, atMs: at },
    );
    const { before, after: state } = about;
    const decided = result.decisions.some((d) => !d.shadow);
    switch (order.kind) {
      case 'SUSPEND':
        return applied(decided ? `suspended (was ${before})` : `already ${before}: nothing more to do`, state);
      case 'RESTORE':
        if (result.confirmedFraud) {
          return rejected(
            `${msisdn} is CONFIRMED in the registry (police-confirmed fraud): ` +
              `no carrier restores it, only a police clearance does; stays ${state}`,
            state,
          );
        }
        return applied(
          decided
            ? `restored from ${before} without using a re-activation chance`
            : `not restricted or suspended (${before}): nothing to restore`,
          state,
        );
      case 'REVIEW': {
        const { score, signals } = about;
        const codes = signals.length > 0 ? ` (${signals.join(', ')})` : '';
        const measured = `reviewed under ${engine.primary.label}: score ${score}${codes}`;
        return applied(
          decided ? `${measured}; raised from ${before} to ${state}` : `${measured}; stays ${state}`,
          state,
        );
      }
    }
  }

  private async replaceCells(list: HighRiskCellList): Promise<DirectiveOutcome> {
    const inForce = this.cells.list;
    if (await this.cells.replace(list)) return applied(`list version ${list.version}, ${cellCount(list.cells.length)}`);
    if (list.version === inForce.version)
      return applied(`list version ${list.version}, ${cellCount(inForce.cells.length)} (already in force)`);
    return applied(
      `list version ${list.version} not applied: ` +
        `version ${inForce.version} (${cellCount(inForce.cells.length)}) is newer and in force`,
    );
  }
}
