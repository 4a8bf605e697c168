import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { FlagEntity } from '../flags/flag.entity';
import { VerificationEntity } from '../verification/verification.entity';

describe('KeyedChangeEntity', () => {
  it('gives flags and verifications their keyed-change columns, beside their own', async () => {
    const dataSource = new DataSource({ type: 'postgres', entities: [FlagEntity, VerificationEntity] });
    await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    const columnsOf = (entity: object) =>
      dataSource
        .getMetadata(entity as typeof FlagEntity)
        .columns.map((column) => `${column.databaseName} ${String(column.type)}${column.isPrimary ? ' primary' : ''}`)
        .sort();
    const shared = [
      'content_hash char',
      'id bigint primary',
      'idempotency_key varchar',
      'msisdn varchar',
      'result_status varchar',
      'result_version bigint',
    ];
    expect(columnsOf(FlagEntity)).toEqual(
      [
        ...shared,
        'evidence jsonb',
        'observed_at timestamptz',
        'protected_by_clearance boolean',
        'reason_codes text',
        'received_at timestamptz',
        'score double precision',
        'source varchar',
      ].sort(),
    );
    expect(columnsOf(VerificationEntity)).toEqual(
      [
        ...shared,
        'case_id varchar',
        'note text',
        'outcome varchar',
        'verified_at timestamptz',
        'verified_by varchar',
      ].sort(),
    );
  });
});
