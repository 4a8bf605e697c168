import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import type { admin } from '@app/contracts';
import { ServiceHarness, type ServiceClient, type StartOptions } from '@app/testing';
import { ADMIN_GRPC } from '../src/admin.grpc';
import { AdminModule } from '../src/admin.module';
import { adminConfig } from '../src/config/admin.config';
import { adminDatabase } from '../src/database';
import { configureAdminHttp } from '../src/http/admin-http';
import { HttpErrorFilter } from '../src/http/http-error.filter';

export const TEST_PROVINCE = 'sichuan';

/** The admin service as main.ts runs it, gRPC and HTTP from one app (real module, loopback, real PostgreSQL). */
export type AdminHarness = ServiceHarness<admin.AdminServiceController>;
/** Typed calls of fraud.admin.v1.AdminService. */
export type AdminClient = ServiceClient<admin.AdminServiceController>;

export const AdminHarness = {
  start: (options?: StartOptions): Promise<AdminHarness> =>
    ServiceHarness.start(
      {
        database: adminDatabase,
        grpc: ADMIN_GRPC,
        env: { ADMIN_PROVINCE: TEST_PROVINCE },
        module: (env, clock) => AdminModule.forProvince(adminConfig(env), env, clock),
        http: { errorFilter: new HttpErrorFilter(), configure: configureAdminHttp },
      },
      options,
    ),
};

/** Opens StreamDirectives as `client`'s carrier; closed by `stream.close()` or the harness's stop(). */
export function directiveStream(client: AdminClient): DirectiveStream {
  return new DirectiveStream(client.streamDirectives());
}

/** A carrier's end of StreamDirectives: what arrived, waiting for more, acknowledging. */
export class DirectiveStream {
  readonly received: admin.Directive[] = [];
  /** The status the call ended with, once it ended. */
  error: ServiceError | undefined;
  ended = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly call: ClientDuplexStream<admin.StreamDirectivesRequest, admin.StreamDirectivesResponse>,
  ) {
    call.on('data', (message: admin.StreamDirectivesResponse) => {
      if (message.directive) this.received.push(message.directive);
      this.wake();
    });
    call.on('error', (error: ServiceError) => {
      this.error = error;
      this.wake();
    });
    call.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Resolves once `count` directives arrived in all (rejects on timeout or a failed call). */
  async waitFor(count: number, timeoutMs = 10_000): Promise<admin.Directive[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (this.error) throw this.error;
      if (this.ended) throw new Error(`the stream ended after ${this.received.length} of ${count} directives`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `only ${this.received.length} of ${count} directives arrived: ` +
            JSON.stringify(this.received.map((d) => d.kind)),
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.slice(0, count);
  }

  /** Resolves when the call has ended, with its error status if it failed. */
  async finished(timeoutMs = 10_000): Promise<ServiceError | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && !this.error) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('the stream did not end');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.error;
  }

  ack(directiveId: string, outcome: 'APPLIED' | 'REJECTED', detail = '', state = 'ACTION_NONE'): void {
    this.call.write({
      ack: {
        directiveId,
        outcome: `DIRECTIVE_OUTCOME_${outcome}` as admin.DirectiveOutcome,
        detail,
        state: state as admin.DirectiveAck['state'],
      },
    });
  }

  /** Drops the stream as a crashing carrier would: cancelled, nothing more acknowledged. */
  close(): void {
    this.call.cancel();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}

/** A Timestamp `ms` milliseconds from now (negative: in the past). */
export function timestampIn(ms: number): { seconds: number; nanos: number } {
  const at = Date.now() + ms;
  return { seconds: Math.floor(at / 1000), nanos: (at % 1000) * 1_000_000 };
}

let sequence = 0;

/** A unique feed item key. */
export function feedKey(label = 'item'): string {
  return `${label}-${process.pid}-${++sequence}`;
}

/** A feed item holding a valid decision of `action` on `msisdn` (e.g. `ACTION_REPORT` on another carrier's number). */
export function aDecisionItem(
  msisdn: string,
  action = 'ACTION_REPORT',
  overrides: Partial<admin.CarrierDecision> = {},
): admin.FeedItem {
  const key = feedKey('decision');
  return {
    idempotencyKey: key,
    decision: {
      decisionId: key,
      msisdn,
      action: action as admin.CarrierDecision['action'],
      previous: 'ACTION_NONE' as admin.CarrierDecision['previous'],
      reasons: ['CORROBORATED_REPORTS'],
      score: 0.8,
      policy: 'default@1',
      at: timestampIn(-60_000),
      evidence: {
        summary: '3 subscribers reported calls from this number',
        windowStart: timestampIn(-3_600_000),
        windowEnd: timestampIn(-60_000),
        measures: [{ name: 'reports_24h', value: 3, threshold: 2 }],
        cells: [{ cell: '460-11-23456-1', at: timestampIn(-600_000), activity: 'call' }],
      },
      ...overrides,
    },
  };
}

/** A feed item holding a day's callee warnings under one policy. */
export function aCalleeWarningsItem(
  overrides: Partial<admin.DailyCalleeWarnings> = {},
  key = feedKey('callee-warnings'),
): admin.FeedItem {
  return { idempotencyKey: key, calleeWarnings: { day: '2024-02-06', policy: 'default@1', count: 3, ...overrides } };
}

/** A feed item holding a daily count. */
export function aCountItem(overrides: Partial<admin.DailyCount> = {}, key = feedKey('count')): admin.FeedItem {
  return {
    idempotencyKey: key,
    dailyCount: {
      day: '2024-02-06',
      policy: 'default@1',
      action: 'ACTION_WARN' as admin.DailyCount['action'],
      reason: 'CALL_BURST',
      count: 12,
      ...overrides,
    },
  };
}
