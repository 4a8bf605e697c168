import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { FlagEntity } from './flag.entity';

export type NewFlagRow = Omit<FlagEntity, 'id'>;

/** Owns the flag table. */
@Injectable()
export class FlagsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByKeys(em: EntityManager, keys: { source: string; idempotencyKey: string }[]): Promise<FlagEntity[]> {
    if (keys.length === 0) return [];
    return em
      .getRepository(FlagEntity)
      .createQueryBuilder('f')
      .where('(f.source, f.idempotency_key) IN (SELECT * FROM unnest(:sources::varchar[], :keys::varchar[]))', {
        sources: keys.map((k) => k.source),
        keys: keys.map((k) => k.idempotencyKey),
      })
      .getMany();
  }

  async insert(em: EntityManager, rows: NewFlagRow[]): Promise<void> {
    if (rows.length === 0) return;
    await em.createQueryBuilder().insert().into(FlagEntity).values(rows).execute();
  }

  /** A number's flags, oldest first, after a keyset position. */
  async pageOf(msisdn: string, after: { at: Date; id: string } | null, limit: number): Promise<FlagEntity[]> {
    const q = this.dataSource.getRepository(FlagEntity).createQueryBuilder('f').where('f.msisdn = :msisdn', { msisdn });
    if (after) q.andWhere('(f.received_at, f.id) > (:at, :id)', { at: after.at, id: after.id });
    return q.orderBy('f.received_at', 'ASC').addOrderBy('f.id', 'ASC').limit(limit).getMany();
  }
}
