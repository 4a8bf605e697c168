import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CLOCK,
  contentHash,
  normaliseMsisdn,
  validateIdempotencyKey,
  type Action,
  type Clock,
  type Msisdn,
} from '@app/domain';
import type { Principal } from '@app/grpc';
import { idempotentWrite } from '@app/persistence';
import { AnalysisService } from '../analysis/analysis.service';
import { textField } from '../requests/text-field';
import { ownSubscriber } from './own-subscriber';
import { ReactivationError } from './reactivation.errors';
import { ReactivationRepository, type StoredAppealOutcome } from './reactivation.repository';

export interface AppealInput {
  idempotencyKey: string;
  msisdn: string;
  upheld: boolean;
  reference: string;
  note: string;
}

export interface AppealResult {
  msisdn: Msisdn;
  outcome: StoredAppealOutcome;
  /** The number's step once it was resolved (a replay answers the first call's). */
  state: Action;
  replayed: boolean;
}

interface AppealRequest {
  idempotencyKey: string;
  msisdn: Msisdn;
  upheld: boolean;
  reference: string;
  note: string;
  contentHash: string;
}

/**
 * An appeal decided: upheld, the suspension was a mistake, so the number is
 * restored (APPEAL_UPHELD) and the re-activation chances it cost are given back;
 * rejected, it is only recorded. Upheld for a number the registry lists as
 * CONFIRMED, it is recorded as CONFIRMED_FRAUD and changes nothing: the police's
 * confirmation stands until they clear the number.
 */
@Injectable()
export class AppealService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly analysis: AnalysisService,
    private readonly repository: ReactivationRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async resolve(resolver: Principal, input: AppealInput): Promise<AppealResult> {
    const request = validateAppeal(input);
    const at = this.clock.now();
    const { result, replayed } = await idempotentWrite({
      dataSource: this.dataSource,
      scope: 'carrier.appeal',
      key: request.idempotencyKey,
      contentHash: request.contentHash,
      find: async (em) => {
        const earlier = await this.repository.appealByKey(em, request.idempotencyKey);
        if (!earlier) return undefined;
        const msisdn = earlier.msisdn as Msisdn;
        return {
          contentHash: earlier.contentHash,
          result: {
            msisdn,
            outcome: earlier.outcome,
            state: earlier.state ?? this.analysis.state.levelOf(msisdn, at.getTime()),
          },
        };
      },
      reused: () => new ReactivationError('KEY_REUSED', 'was already used for a different appeal', 'idempotency_key'),
      apply: async (em, hooks) => {
        ownSubscriber(this.analysis.state, request.msisdn);
        let outcome: StoredAppealOutcome = 'REJECTED';
        if (request.upheld) {
          const { confirmedFraud } = await this.analysis.applyInTransaction(em, hooks, request.msisdn, (engine) =>
            engine.appealUpheld(request.msisdn, at.getTime()),
          );
          outcome = confirmedFraud ? 'CONFIRMED_FRAUD' : 'UPHELD';
        }
        const state = this.analysis.state.levelOf(request.msisdn, at.getTime());
        await this.repository.insertAppeal(em, {
          idempotencyKey: request.idempotencyKey,
          contentHash: request.contentHash,
          msisdn: request.msisdn,
          upheld: request.upheld,
          outcome,
          reference: request.reference,
          note: request.note,
          state,
          resolvedBy: resolver.subject,
          at,
        });
        return { msisdn: request.msisdn, outcome, state };
      },
    });
    return { ...result, replayed };
  }
}

function validateAppeal(input: AppealInput): AppealRequest {
  const content = {
    msisdn: normaliseMsisdn(input.msisdn, 'msisdn'),
    upheld: input.upheld,
    reference: textField(input.reference, 'reference', { max: 200, required: true }),
    note: textField(input.note, 'note', { max: 4000, required: false, multiline: true }),
  };
  return {
    idempotencyKey: validateIdempotencyKey(input.idempotencyKey, 'idempotency_key'),
    ...content,
    contentHash: contentHash(content),
  };
}
