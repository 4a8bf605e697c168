import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '@app/domain';
import { idempotentRequest, type KeyedContent, type RequestSteps } from '@app/persistence';
import { AnalysisService } from '../analysis/analysis.service';

/**
 * What the requests about a subscriber's number (profile declarations,
 * re-activations, appeals) run on: the engine they change, the clock they are
 * dated by, and one write per idempotency key, in the transaction that also
 * changes the engine (analysis.applyInTransaction).
 */
@Injectable()
export class SubscriberRequests {
  constructor(
    private readonly dataSource: DataSource,
    readonly analysis: AnalysisService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  now(): Date {
    return this.clock.now();
  }

  /** The request written once under its key in `scope` (idempotentRequest), with whether it was replayed. */
  write<Row extends { contentHash: string }, R extends object>(
    scope: string,
    request: KeyedContent,
    steps: RequestSteps<Row, R>,
  ): Promise<R & { replayed: boolean }> {
    return idempotentRequest({ dataSource: this.dataSource, scope, request, ...steps });
  }
}
