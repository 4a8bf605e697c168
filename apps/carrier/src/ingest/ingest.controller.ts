import { Controller, Inject } from '@nestjs/common';
import { GrpcStreamMethod } from '@nestjs/microservices';
import { concatMap, map, reduce, tap, type Observable } from 'rxjs';
import type { carrier } from '@app/contracts';
import { ValidationError, ValidationErrorCode, type CarrierEvent } from '@app/domain';
import { RoleKind, Roles } from '@app/grpc';
import { AnalysisService, type IngestOutcome } from '../analysis/analysis.service';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { fromWireEvent } from './event.mapper';
import { Inflow, type PausableStream } from './inflow';
import { WriteWindow } from './write-window';

export const MAX_EVENTS_PER_BATCH = 1000;
/** Batches analysed ahead of their writes becoming durable. */
const WRITES_IN_FLIGHT = 16;
const MAX_REPORTED_REJECTIONS = 100;
/** Messages received ahead of the analysis before the stream stops reading (up to 64,000 events). */
const MESSAGES_WAITING = 64;

interface Totals {
  accepted: number;
  duplicates: number;
  rejected: number;
  late: number;
  rejections: carrier.EventRejection[];
  decisions: number;
}

@Controller()
export class IngestController implements Pick<carrier.CarrierServiceController, 'ingestEvents'> {
  constructor(
    private readonly analysis: AnalysisService,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    private readonly metrics: CarrierMetrics,
  ) {}

  /**
   * Batches are analysed in arrival order, one after the other, while the writes
   * of the ones before commit; the answer comes once the stream ends and every
   * decision it led to is durable.
   */
  @GrpcStreamMethod('CarrierService', 'IngestEvents')
  @Roles(RoleKind.Carrier)
  ingestEvents(
    requests: Observable<carrier.IngestEventsRequest>,
    _metadata?: unknown,
    call?: PausableStream,
  ): Observable<carrier.IngestEventsResponse> {
    const totals: Totals = { accepted: 0, duplicates: 0, rejected: 0, late: 0, rejections: [], decisions: 0 };
    const writes = new WriteWindow(WRITES_IN_FLIGHT);
    // Messages that arrived but wait for the analysis are bounded: a faster sender is held back by flow control.
    const inflow = new Inflow(call, MESSAGES_WAITING);
    let batch = 0;
    return requests.pipe(
      tap(() => inflow.received()),
      concatMap((request) => this.ingestBatch(request, batch++, totals, writes).finally(() => inflow.analysed())),
      reduce(() => null, null),
      concatMap(() => writes.settle()),
      map(() => ({ ...totals })),
    );
  }

  private async ingestBatch(
    request: carrier.IngestEventsRequest,
    batch: number,
    totals: Totals,
    writes: WriteWindow,
  ): Promise<void> {
    const wire = request.events ?? [];
    if (wire.length === 0) {
      throw new ValidationError(
        ValidationErrorCode.OutOfRange,
        'events',
        `a message needs 1 to ${MAX_EVENTS_PER_BATCH} events, got none (message ${batch})`,
      );
    }
    if (wire.length > MAX_EVENTS_PER_BATCH) {
      throw new ValidationError(
        ValidationErrorCode.OutOfRange,
        'events',
        `at most ${MAX_EVENTS_PER_BATCH} events per message, got ${wire.length} (message ${batch})`,
      );
    }
    const events: CarrierEvent[] = [];
    const indexOf: number[] = [];
    wire.forEach((event, index) => {
      try {
        events.push(fromWireEvent(event, this.config.carrierId));
        indexOf.push(index);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        this.reject(totals, { batch, index, field: error.field ?? '', reason: error.reason });
      }
    });
    // Taken in arrival order; counted once its outcome is known (at once on one node, once every shard wrote it).
    const { outcome, durable } = await this.analysis.submit(events);
    const counted = outcome.then((o) => this.count(o, events, wire.length, indexOf, batch, totals));
    await writes.add(Promise.all([counted, durable]).then(() => undefined));
  }

  /** A batch's outcome in the metrics and the stream's totals, its refused events named by their index. */
  private count(
    outcome: IngestOutcome,
    events: readonly CarrierEvent[],
    received: number,
    indexOf: readonly number[],
    batch: number,
    totals: Totals,
  ): void {
    this.metrics.ingested(
      events,
      received - events.length,
      outcome.late.length,
      outcome.duplicates,
      outcome.future.length,
    );
    totals.accepted += outcome.accepted;
    totals.duplicates += outcome.duplicates;
    totals.decisions += outcome.decided;
    for (const i of outcome.late) {
      totals.late++;
      this.reject(
        totals,
        {
          batch,
          index: indexOf[i],
          field: 'at_ms',
          reason: `older than the allowed lateness (${this.config.latenessMs / 1000} s) behind the newest event`,
        },
        false,
      );
    }
    for (const i of outcome.future) {
      this.reject(totals, {
        batch,
        index: indexOf[i],
        field: 'at_ms',
        reason: `future: more than ${this.config.maxAheadMs / 1000} s ahead of the service's clock`,
      });
    }
  }

  private reject(totals: Totals, rejection: carrier.EventRejection, count = true): void {
    if (count) totals.rejected++;
    if (totals.rejections.length < MAX_REPORTED_REJECTIONS) totals.rejections.push(rejection);
  }
}
