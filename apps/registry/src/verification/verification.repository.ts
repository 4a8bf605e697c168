import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { VerificationEntity } from './verification.entity';

/** Owns the verification table. */
@Injectable()
export class VerificationRepository {
  constructor(private readonly dataSource: DataSource) {}

  findByKey(em: EntityManager, idempotencyKey: string): Promise<VerificationEntity | null> {
    return em.getRepository(VerificationEntity).findOne({ where: { idempotencyKey } });
  }

  async insert(em: EntityManager, row: Omit<VerificationEntity, 'id'>): Promise<void> {
    await em.createQueryBuilder().insert().into(VerificationEntity).values(row).execute();
  }

  async pageOf(msisdn: string, after: { at: Date; id: string } | null, limit: number): Promise<VerificationEntity[]> {
    const q = this.dataSource
      .getRepository(VerificationEntity)
      .createQueryBuilder('v')
      .where('v.msisdn = :msisdn', { msisdn });
    if (after) q.andWhere('(v.verified_at, v.id) > (:at, :id)', { at: after.at, id: after.id });
    return q.orderBy('v.verified_at', 'ASC').addOrderBy('v.id', 'ASC').limit(limit).getMany();
  }
}
