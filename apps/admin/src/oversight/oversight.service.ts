import { Inject, Injectable } from '@nestjs/common';
import { Action, CARRIER_IDS, CLOCK, ValidationError, ValidationErrorCode, type Clock } from '@app/domain';
import type { Principal } from '@app/grpc';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
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
import { OversightRepository, type DecidedNumber, type NumberCount, type Workload } from './oversight.repository';

/** Top lists are for a screen, not an export. */
export const TOP_REPORTED_LIMIT = 20;
export const MULTI_CARRIER_LIMIT = 50;
/** The numbers behind one chart point: a screenful to open one by one, not an export. */
export const DECIDED_NUMBERS_LIMIT = 200;

/** The actions each chart's series counts (mistakenKillRate: the day's suspensions). */
export const SERIES_ACTIONS: Readonly<Record<string, readonly Action[]>> = {
  flags: [Action.Restrict, Action.Suspend, Action.Report],
  warnings: [Action.Warn],
  restrictions: [Action.Restrict],
  suspensions: [Action.Suspend],
  restorations: [Action.Restore],
  mistakenKillRate: [Action.Suspend],
};

/** The numbers one carrier decided on one day, for one series of the charts. */
export interface DecidedNumbers {
  day: string;
  series: string;
  numbers: DecidedNumber[];
  /** More decisions than DECIDED_NUMBERS_LIMIT were taken: the list is cut. */
  truncated: boolean;
}

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
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
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

  /** The decisions behind one point of a chart: one day, one series, the carrier in scope (or every one). */
  async decidedNumbers(
    caller: Principal,
    query: { day?: string; series?: string; carrier?: string; fields: OversightQuery['fields'] & { day: string } },
  ): Promise<DecidedNumbers> {
    if (!query.day) throw new ValidationError(ValidationErrorCode.Required, query.fields.day, 'is required');
    const actions = query.series === undefined ? undefined : SERIES_ACTIONS[query.series];
    if (!actions)
      throw new ValidationError(
        ValidationErrorCode.Malformed,
        'series',
        `must be one of ${Object.keys(SERIES_ACTIONS).join(', ')}`,
      );
    const { range, scope } = this.resolve(caller, {
      from: query.day,
      to: query.day,
      carrier: query.carrier,
      fields: { ...query.fields, from: query.fields.day, to: query.fields.day },
    });
    const found = await this.repository.decidedNumbers(range, scope.carrier, actions, DECIDED_NUMBERS_LIMIT + 1);
    return {
      day: range.from,
      series: query.series!,
      numbers: found.slice(0, DECIDED_NUMBERS_LIMIT),
      truncated: found.length > DECIDED_NUMBERS_LIMIT,
    };
  }

  /**
   * Open cases, SLA breaches and open directives now, in the caller's scope. Directives count for the
   * carriers running in the province only, as in the metrics: one to a carrier not started waits forever.
   */
  workload(caller: Principal, carrier: string | undefined, field: string): Promise<Workload> {
    const scope = oversightScope(caller, carrier, field);
    return this.repository.workload(scope.carrier, this.config.carriers, this.clock.now());
  }

  private resolve(caller: Principal, query: OversightQuery): { range: DayRange; scope: OversightScope } {
    const scope = oversightScope(caller, query.carrier, query.fields.carrier);
    return { scope, range: dayRange(query, this.clock.now(), query.fields) };
  }
}
