import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One line of the append-only, hash-chained audit log (every service has its own). */
@Entity({ name: 'audit_event' })
@Index('audit_event_target_idx', ['target', 'id'])
@Index('audit_event_actor_idx', ['actor', 'id'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'varchar', length: 128 })
  actor!: string;

  @Column({ type: 'varchar', length: 64 })
  role!: string;

  @Column({ type: 'varchar', length: 160 })
  action!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  target!: string | null;

  /**
   * The target as the line's hash covers it, when a migration stored `target` in
   * E.164 since (the typed national form); else null.
   */
  @Column({ name: 'hashed_target', type: 'varchar', length: 32, nullable: true })
  hashedTarget!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  purpose!: string | null;

  @Column({ name: 'case_id', type: 'varchar', length: 64, nullable: true })
  caseId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  outcome!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  detail!: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}
