import { SqlMigration } from '@app/persistence';

/**
 * The error budget per rule: each demotion of a reason on a ladder (its policy
 * and whether it is the shadow), written with the decisions of the batch that
 * tripped it, and its re-enable by an operator (who, why, when). A demotion
 * without `reenabled_at` is in force: start-up puts it back on its ladder.
 */
export class RuleBudget1764400000810 extends SqlMigration {
  name = 'RuleBudget1764400000810';

  protected readonly upSql = [
    `
      CREATE TABLE rule_demotion (
        id bigserial PRIMARY KEY,
        policy varchar(64) NOT NULL,
        reason varchar(64) NOT NULL,
        shadow boolean NOT NULL,
        demoted_at timestamptz NOT NULL,
        mistakes integer NOT NULL CHECK (mistakes >= 0),
        actions integer NOT NULL CHECK (actions >= 0),
        window_days double precision NOT NULL CHECK (window_days > 0),
        reenabled_at timestamptz,
        reenabled_by varchar(128),
        why text,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (policy, reason, shadow, demoted_at),
        CHECK ((reenabled_at IS NULL) = (reenabled_by IS NULL) AND (reenabled_at IS NULL) = (why IS NULL))
      )`,
    // At most one demotion in force per reason and ladder.
    `CREATE UNIQUE INDEX rule_demotion_in_force_idx ON rule_demotion (policy, shadow, reason)
       WHERE reenabled_at IS NULL`,
    // Start-up reads a ladder's decisions of the last window.
    `CREATE INDEX decision_policy_at_idx ON decision (policy, shadow, at)`,
  ];

  protected readonly downSql = [`DROP INDEX decision_policy_at_idx`, `DROP TABLE rule_demotion`];
}
