import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Action, Msisdn } from '@app/domain';
import type { KeyedContent, TransactionHooks } from '@app/persistence';
import type { AnalysisService, RequestOnce } from '../analysis/analysis.service';
import { SubscriberRequests } from '../requests/subscriber-requests';
import { ownSubscriber } from './own-subscriber';
import { ReactivationError } from './reactivation.errors';
import { ReactivationRepository, type StepKind, type StepRows } from './reactivation.repository';

/** Each kind of step: the scope of its keys, and what a reused key names. */
const STEPS: Readonly<Record<StepKind, { scope: string; what: string }>> = {
  reactivation: { scope: 'carrier.reactivation', what: 're-activation' },
  appeal: { scope: 'carrier.appeal', what: 'appeal' },
};

export interface StepResult<K extends StepKind> {
  msisdn: Msisdn;
  outcome: StepRows[K]['outcome'];
  /** The number's step once it was done (a replay answers the first call's). */
  state: Action;
  replayed: boolean;
}

/** What one request of a kind does: the engine's change, and the row that records it. */
export interface Step<K extends StepKind> {
  /**
   * Changes the engine in the transaction (analysis.applyInTransaction, with `once`: the request's identity) and
   * says how it came out.
   */
  change(em: EntityManager, hooks: TransactionHooks, at: Date, once: RequestOnce): Promise<StepRows[K]['outcome']>;
  /** The row to store, given the outcome and the number's step after it. */
  row(outcome: StepRows[K]['outcome'], state: Action, at: Date): StepRows[K];
}

/**
 * Re-activations and appeals, steps on a suspended number: for this carrier's
 * own subscribers only, dated once, written once per key, each answered with its
 * outcome and the number's step after it (for rows from before steps were
 * stored, the step the number is at).
 */
@Injectable()
export class StepRequests {
  constructor(
    private readonly requests: SubscriberRequests,
    private readonly repository: ReactivationRepository,
  ) {}

  get analysis(): AnalysisService {
    return this.requests.analysis;
  }

  write<K extends StepKind>(
    kind: K,
    request: KeyedContent & { msisdn: Msisdn },
    step: Step<K>,
  ): Promise<StepResult<K>> {
    const { scope, what } = STEPS[kind];
    const { analysis } = this.requests;
    const at = this.requests.now();
    const stateOf = (msisdn: Msisdn) => analysis.state.levelOf(msisdn, at.getTime());
    return this.requests.write(scope, request, {
      stored: (em) => this.repository.stepByKey(em, kind, request.idempotencyKey),
      answer: (row) => ({
        msisdn: row.msisdn as Msisdn,
        outcome: row.outcome,
        state: row.state ?? stateOf(row.msisdn as Msisdn),
      }),
      reused: () => new ReactivationError('KEY_REUSED', `was already used for a different ${what}`, 'idempotency_key'),
      apply: async (em, hooks) => {
        ownSubscriber(analysis.state, request.msisdn);
        const { idempotencyKey, contentHash } = request;
        const outcome = await step.change(em, hooks, at, { scope, idempotencyKey, contentHash });
        // Where this transaction leaves the number: readers see it once the transaction commits.
        const state = analysis.levelInTransaction(request.msisdn, at.getTime());
        await this.repository.insertStep(em, kind, step.row(outcome, state, at));
        return { msisdn: request.msisdn, outcome, state };
      },
    });
  }
}
