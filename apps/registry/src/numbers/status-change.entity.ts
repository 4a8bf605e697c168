import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RegistryStatus } from '@app/domain';

export type ChangeCause = 'FLAG' | 'VERIFICATION';

/** The change feed: every status change, numbered without gaps. */
@Entity({ name: 'status_change' })
@Index('status_change_msisdn_idx', ['msisdn', 'version'])
export class StatusChangeEntity {
  @PrimaryColumn({ type: 'bigint' })
  version!: string;

  @Column({ type: 'varchar', length: 16 })
  msisdn!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: RegistryStatus;

  @Column({ name: 'previous_status', type: 'varchar', length: 12 })
  previousStatus!: RegistryStatus;

  @Column({ type: 'varchar', length: 16 })
  cause!: ChangeCause;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
