import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RegistryStatus } from '@app/domain';

/** The current status of each number ever listed. */
@Entity({ name: 'number_status' })
export class NumberStatusEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  msisdn!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: RegistryStatus;

  @Column({ type: 'bigint' })
  version!: string;

  @Column({ name: 'cleared_at', type: 'timestamptz', nullable: true })
  clearedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
