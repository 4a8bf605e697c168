import { Column, PrimaryGeneratedColumn } from 'typeorm';
import type { RegistryStatus } from '@app/domain';

/**
 * The columns of a request that may change a number's status (a flag, a
 * verification): its key, the hash of its content, the number, and the status
 * and change-feed version it left (returned again on a retry).
 */
export abstract class KeyedChangeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 128 })
  idempotencyKey!: string;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ type: 'varchar', length: 16 })
  msisdn!: string;

  @Column({ name: 'result_status', type: 'varchar', length: 12 })
  resultStatus!: RegistryStatus;

  @Column({ name: 'result_version', type: 'bigint' })
  resultVersion!: string;
}
