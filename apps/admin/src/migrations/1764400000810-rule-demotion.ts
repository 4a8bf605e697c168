import { SqlMigration } from '@app/persistence';

/**
 * The rules each carrier's active policy demoted (its error budget spent: the
 * reason counts only up to WARN), from the carriers' feed, with their
 * re-enable by the carrier's operator when it came (who, why, when). Keyed by
 * the carrier, policy, reason and time of the demotion: a re-enable fills in the
 * row of the demotion it ends, whichever of the two arrives first.
 */
export class RuleDemotion1764400000810 extends SqlMigration {
  name = 'RuleDemotion1764400000810';

  protected readonly upSql = [
    `
      CREATE TABLE rule_demotion (
        carrier varchar(8) NOT NULL,
        policy varchar(64) NOT NULL,
        reason varchar(64) NOT NULL,
        demoted_at timestamptz NOT NULL,
        mistakes integer NOT NULL CHECK (mistakes >= 0),
        actions integer NOT NULL CHECK (actions >= 0),
        window_days double precision NOT NULL CHECK (window_days > 0),
        reenabled_at timestamptz,
        reenabled_by varchar(128),
        why text,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (carrier, policy, reason, demoted_at)
      )`,
    `CREATE INDEX rule_demotion_demoted_at_idx ON rule_demotion (demoted_at)`,
  ];

  protected readonly downSql = [`DROP TABLE rule_demotion`];
}
