import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Evidence, RegistryStatus } from '@app/domain';

/** A flag as received, with the result it produced (returned again on a retry). */
@Entity({ name: 'flag' })
@Unique('flag_idempotency_uq', ['source', 'idempotencyKey'])
@Index('flag_msisdn_idx', ['msisdn', 'receivedAt', 'id'])
export class FlagEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 40 })
  source!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 128 })
  idempotencyKey!: string;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ type: 'varchar', length: 16 })
  msisdn!: string;

  @Column({ name: 'reason_codes', type: 'text', array: true })
  reasonCodes!: string[];

  @Column({ type: 'double precision' })
  score!: number;

  @Column({ type: 'jsonb' })
  evidence!: Evidence;

  @Column({ name: 'observed_at', type: 'timestamptz' })
  observedAt!: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'result_status', type: 'varchar', length: 12 })
  resultStatus!: RegistryStatus;

  @Column({ name: 'result_version', type: 'bigint' })
  resultVersion!: string;

  @Column({ name: 'protected_by_clearance', type: 'boolean' })
  protectedByClearance!: boolean;
}
