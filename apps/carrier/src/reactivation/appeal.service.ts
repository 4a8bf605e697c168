import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, contentHash, normaliseMsisdn, validateIdempotencyKey, type Action, type Clock, type Msisdn } from '@app/domain';
import type { Principal } from '@app/grpc';
import { retryOnUniqueViolation } from '@app/persistence';
import { AnalysisService } from '../analysis/analysis.service';
import { SerialByKey } from '../requests/serial-by-key';
import { textField } from '../requests/text-field';
import { ownSubscriber } from './own-subscriber';
import { ReactivationError, ReactivationErrorCode } from './reactivation.errors';
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
  /** The number's step now. */
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
  private readonly serial = new SerialByKey();

  constructor(
    private readonly analysis: AnalysisService,
    private readonly repository: ReactivationRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async resolve(resolver: Principal, input: AppealInput): Promise<AppealResult> {
    const request = validateAppeal(input);
    return this.serial.run(request.idempotencyKey, () => retryOnUniqueViolation(() => this.resolveOnce(resolver, request)));
  }

  private async resolveOnce(resolver: Principal, request: AppealRequest): Promise<AppealResult> {
    const at = this.clock.now();
    const earlier = await this.repository.appealByKey(request.idempotencyKey);
    if (earlier) {
      if (earlier.contentHash !== request.contentHash) throw new ReactivationError(ReactivationErrorCode.KeyReused, 'was already used for a different appeal', 'idempotency_key');
      const msisdn = earlier.msisdn as Msisdn;
      return { msisdn, outcome: earlier.outcome, state: this.analysis.state.levelOf(msisdn, at.getTime()), replayed: true };
    }
    ownSubscriber(this.analysis.state, request.msisdn);
    let outcome: StoredAppealOutcome = 'REJECTED';
    if (request.upheld) {
      const { confirmedFraud } = await this.analysis.apply((engine) => engine.appealUpheld(request.msisdn, at.getTime()));
      outcome = confirmedFraud ? 'CONFIRMED_FRAUD' : 'UPHELD';
    }
    await this.repository.insertAppeal({
      idempotencyKey: request.idempotencyKey,
      contentHash: request.contentHash,
      msisdn: request.msisdn,
      upheld: request.upheld,
      outcome,
      reference: request.reference,
      note: request.note,
      resolvedBy: resolver.subject,
      at,
    });
    return { msisdn: request.msisdn, outcome, state: this.analysis.state.levelOf(request.msisdn, at.getTime()), replayed: false };
  }
}

function validateAppeal(input: AppealInput): AppealRequest {
  const content = {
    msisdn: normaliseMsisdn(input.msisdn, 'msisdn'),
    upheld: input.upheld,
    reference: textField(input.reference, 'reference', { max: 200, required: true }),
    note: textField(input.note, 'note', { max: 4000, required: false, multiline: true }),
  };
  return { idempotencyKey: validateIdempotencyKey(input.idempotencyKey, 'idempotency_key'), ...content, contentHash: contentHash(content) };
}
