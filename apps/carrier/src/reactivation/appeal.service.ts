import { Injectable } from '@nestjs/common';
import { contentHash, normaliseMsisdn, validateIdempotencyKey, type Action, type Msisdn } from '@app/domain';
import type { Principal } from '@app/grpc';
import { textField } from '../requests/text-field';
import { type StoredAppealOutcome } from './reactivation.repository';
import { StepRequests } from './step-requests';

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
  constructor(private readonly steps: StepRequests) {}

  resolve(resolver: Principal, input: AppealInput): Promise<AppealResult> {
    const request = validateAppeal(input);
    return this.steps.write('appeal', request, {
      change: async (em, hooks, at, once) => {
        if (!request.upheld) return 'REJECTED';
        const { confirmedFraud } = await this.steps.analysis.applyInTransaction(
          em,
          hooks,
          request.msisdn,
          { kind: 'appealUpheld', msisdn: request.msisdn, atMs: at.getTime() },
          once,
        );
        return confirmedFraud ? 'CONFIRMED_FRAUD' : 'UPHELD';
      },
      row: (outcome, state, at) => ({ ...request, outcome, state, resolvedBy: resolver.subject, at }),
    });
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
