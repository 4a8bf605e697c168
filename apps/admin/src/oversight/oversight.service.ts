import { Inject, Injectable } from '@nestjs/common';
import { CARRIER_IDS, CLOCK, type Clock } from '@app/domain';
import type { Principal } from '@app/grpc';
import { cstDay, dayRange, daysOf, type DayRange } from './day-range';
import {
  carrierQuality,
  carrierSeries,
  demotedRules,
  oversightRows,
  type CalleeWarningCount,
  type CarrierDemotions,
  type CarrierQuality,
  type CarrierSeries,
  type OversightRow,
} from './figures';
import { oversightScope, type OversightScope } from './oversight-scope';
import { OversightRepository, type NumberCount } from './oversight.repository';

/** Top lists are for a screen, not an export. */
export const TOP_REPORTED_LIMIT = 20;
export const MULTI_CARRIER_LIMIT = 50;

export interface OversightFigures {
  from: string;
  to: string;
  rows: OversightRow[];
  quality: CarrierQuality[];
  /** Per carrier, the rules its active policy demoted in the range (error budget per rule). */
  demotedRules: CarrierDemotions[];
  topReported: NumberCount[];
  multiCarrier: NumberCount[];
  /** The carriers' callee warnings (calleeProtection SMS) per day and policy, as they counted them. */
  calleeWarnings: CalleeWarningCount[];
}

/** What a caller asks for, as sent; `fields` names its parameters in errors (from_day on gRPC, from on HTTP). */
export interface OversightQuery {
  from?: string;
  to?: string;
  carrier?: string;
  fields: { from: string; to: string; carrier: string };
}

export interface OversightSeries {
  days: string[];
  carriers: Record<string, CarrierSeries>;
}

@Injectable()
export class OversightService {
  constructor(
    private readonly repository: OversightRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async figures(caller: Principal, query: OversightQuery): Promise<OversightFigures> {
    const { range, scope } = this.resolve(caller, query);
    const [counted, reported, suspensions, demoted, topReported, multiCarrier, calleeWarnings] = await Promise.all([
      this.repository.reasonCounts(range, scope.carrier),
      this.repository.reportedCounts(range, scope.carrier),
      this.repository.suspensions(range, scope.carrier),
      this.repository.demotedRules(range, scope.carrier),
      this.repository.topReported(range, scope.carrier, TOP_REPORTED_LIMIT),
      scope.crossCarrier ? this.repository.multiCarrier(range, scope.carrier, MULTI_CARRIER_LIMIT) : [],
      this.repository.calleeWarnings(range, scope.carrier),
    ]);
    return {
      from: range.from,
      to: range.to,
      rows: oversightRows(counted, reported),
      quality: carrierQuality(suspensions),
      demotedRules: demotedRules(demoted),
      topReported,
      multiCarrier,
      calleeWarnings,
    };
  }

  /** One value per day for every carrier in scope (all four when not narrowed), zero on quiet days. */
  async series(caller: Principal, query: OversightQuery): Promise<OversightSeries> {
    const { range, scope } = this.resolve(caller, query);
    const [counts, suspensions, calleeWarnings] = await Promise.all([
      this.repository.actionCounts(range, scope.carrier),
      this.repository.suspensions(range, scope.carrier),
      this.repository.calleeWarnings(range, scope.carrier),
    ]);
    const days = daysOf(range);
    const carriers = scope.carrier === null ? [...CARRIER_IDS] : [scope.carrier];
    return { days, carriers: carrierSeries(days, carriers, counts, suspensions, cstDay, calleeWarnings) };
  }

  private resolve(caller: Principal, query: OversightQuery): { range: DayRange; scope: OversightScope } {
    const scope = oversightScope(caller, query.carrier, query.fields.carrier);
    return { scope, range: dayRange(query, this.clock.now(), query.fields) };
  }
}
