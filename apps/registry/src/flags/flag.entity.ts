import { Column, Entity, Index, Unique } from 'typeorm';
import type { Evidence } from '@app/domain';
import { KeyedChangeEntity } from '../numbers/keyed-change.entity';

/** A flag as received, with the result it produced (returned again on a retry). */
@Entity({ name: 'flag' })
@Unique('flag_idempotency_uq', ['source', 'idempotencyKey'])
@Index('flag_msisdn_idx', ['msisdn', 'receivedAt', 'id'])
export class FlagEntity extends KeyedChangeEntity {
  @Column({ type: 'varchar', length: 40 })
  source!: string;

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

  @Column({ name: 'protected_by_clearance', type: 'boolean' })
  protectedByClearance!: boolean;
}
