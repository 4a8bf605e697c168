import { SqlMigration } from '@app/persistence';
import { appendOnlyStatements } from './append-only.migration';

/** The audit log table, shared by every service's migrations; rows can be added, never changed. */
export class CreateAuditLog1764400000000 extends SqlMigration {
  name = 'CreateAuditLog1764400000000';

  protected readonly upSql = [
    `
      CREATE TABLE audit_event (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        actor varchar(128) NOT NULL,
        role varchar(64) NOT NULL,
        action varchar(160) NOT NULL,
        target varchar(32),
        purpose varchar(500),
        case_id varchar(64),
        outcome varchar(32) NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`,
    `CREATE INDEX audit_event_target_idx ON audit_event (target, id)`,
    `CREATE INDEX audit_event_actor_idx ON audit_event (actor, id)`,
    ...appendOnlyStatements('audit_event'),
  ];

  protected readonly downSql = [`DROP TABLE audit_event`, `DROP FUNCTION audit_event_append_only()`];
}
