import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { RegistryStatus, VerificationOutcome } from '@app/domain';

/** A police verification of a number: confirmed fraud, or cleared. */
@Entity({ name: 'verification' })
@Unique('verification_idempotency_uq', ['idempotencyKey'])
@Index('verification_msisdn_idx', ['msisdn', 'verifiedAt', 'id'])
export class VerificationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 128 })
  idempotencyKey!: string;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ type: 'varchar', length: 16 })
  msisdn!: string;

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

  @Column({ name: 'result_status', type: 'varchar', length: 12 })
  resultStatus!: RegistryStatus;

  @Column({ name: 'result_version', type: 'bigint' })
  resultVersion!: string;
}
