import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  CLOCK,
  NOT_LISTED,
  statusAfterVerification,
  validateVerification,
  verificationRefusal,
  VerificationOutcome,
  type Clock,
  type RegistryStatus,
  type Verification,
  type VerificationInput,
} from '@app/domain';
import type { Principal } from '@app/grpc';
import { idempotentRequest } from '@app/persistence';
import { ChangeFeed } from '../numbers/change-feed.service';
import { NumbersRepository } from '../numbers/numbers.repository';
import { RegistryMetrics } from '../numbers/registry-metrics';
import { VerificationError } from './verification.errors';
import { VerificationRepository } from './verification.repository';

export interface VerificationResult {
  msisdn: string;
  status: RegistryStatus;
  version: number;
  replayed: boolean;
}

@Injectable()
export class VerificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly verifications: VerificationRepository,
    private readonly numbers: NumbersRepository,
    private readonly feed: ChangeFeed,
    private readonly metrics: RegistryMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Police confirm fraud or clear a number. A clearance protects it against the
   * evidence before it. Concurrent retries wait for the first (the key's lock is
   * taken before the number's row), so they replay it instead of meeting the
   * status it left and being refused.
   */
  async verify(officer: Principal, input: VerificationInput): Promise<VerificationResult> {
    const verification = validateVerification(input);
    const result = await idempotentRequest({
      dataSource: this.dataSource,
      scope: 'registry.verification',
      request: verification,
      stored: (em) => this.verifications.findByKey(em, verification.idempotencyKey),
      answer: (row) => ({ msisdn: row.msisdn, status: row.resultStatus, version: Number(row.resultVersion) }),
      reused: () =>
        new VerificationError('KEY_REUSED', 'was already used for a different verification', 'idempotency_key'),
      apply: (em) => this.apply(em, officer, verification),
    });
    await this.feed.catchUpTo(result.version);
    this.metrics.verified(verification.outcome, result.replayed);
    return result;
  }

  private async apply(
    em: EntityManager,
    officer: Principal,
    verification: Verification,
  ): Promise<Omit<VerificationResult, 'replayed'>> {
    const now = this.clock.now();
    const state = (await this.numbers.lockStates(em, [verification.msisdn])).get(verification.msisdn) ?? NOT_LISTED;
    const refusal = verificationRefusal(state, verification.outcome);
    if (refusal) throw new VerificationError('ILLEGAL_TRANSITION', refusal, 'outcome');
    const status = statusAfterVerification(verification.outcome);
    const [change] = await this.numbers.recordChanges(em, [
      {
        msisdn: verification.msisdn,
        status,
        previousStatus: state.status,
        cause: 'VERIFICATION',
        changedAt: now,
        clearedAt: verification.outcome === VerificationOutcome.Cleared ? now : null,
      },
    ]);
    await this.verifications.insert(em, {
      idempotencyKey: verification.idempotencyKey,
      contentHash: verification.contentHash,
      msisdn: verification.msisdn,
      outcome: verification.outcome,
      caseId: verification.caseId,
      note: verification.note,
      verifiedBy: officer.subject,
      verifiedAt: now,
      resultStatus: status,
      resultVersion: String(change.version),
    });
    return { msisdn: verification.msisdn, status, version: change.version };
  }
}
