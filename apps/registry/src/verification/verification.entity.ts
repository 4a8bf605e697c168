import { Column, Entity, Index, Unique } from 'typeorm';
import type { VerificationOutcome } from '@app/domain';
import { KeyedChangeEntity } from '../numbers/keyed-change.entity';

/** A police verification of a number: confirmed fraud, or cleared. */
@Entity({ name: 'verification' })
@Unique('verification_idempotency_uq', ['idempotencyKey'])
@Index('verification_msisdn_idx', ['msisdn', 'verifiedAt', 'id'])
export class VerificationEntity extends KeyedChangeEntity {
  @Column({ type: 'varchar', length: 12 })
  outcome!: VerificationOutcome;

  @Column({ name: 'case_id', type: 'varchar', length: 64 })
  caseId!: string;

  @Column({ type: 'text' })
  note!: string;

  @Column({ name: 'verified_by', type: 'varchar', length: 128 })
  verifiedBy!: string;

  @Column({ name: 'verified_at', type: 'timestamptz' })
  verifiedAt!: Date;
}
