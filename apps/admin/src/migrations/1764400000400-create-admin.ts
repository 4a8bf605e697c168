import { SqlMigration } from '@app/persistence';

/**
 * The provincial administration's tables: every carrier's feed, number
 * ownership, directives with their delivery, the versioned high-risk cell list,
 * and cases. Per-number tables are keyed or indexed by number first.
 */
export class CreateAdmin1764400000400 extends SqlMigration {
  name = 'CreateAdmin1764400000400';

  protected readonly upSql = [
    // Carrier feed: decisions (REPORT = an inter-network report on another carrier's number).
    `
      CREATE TABLE carrier_decision (
        carrier varchar(4) NOT NULL,
        decision_id varchar(64) NOT NULL,
        msisdn varchar(16) NOT NULL,
        action varchar(10) NOT NULL,
        previous varchar(10) NOT NULL,
        reasons text[] NOT NULL,
        score double precision NOT NULL,
        policy varchar(64) NOT NULL,
        at timestamptz NOT NULL,
        evidence jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (carrier, decision_id)
      )`,
    `CREATE INDEX carrier_decision_msisdn_idx ON carrier_decision (msisdn, at)`,
    `CREATE INDEX carrier_decision_at_idx ON carrier_decision (at, carrier)`,
    // Feed items already taken, by their key: a retried feed adds nothing.
    `
      CREATE TABLE feed_item (
        carrier varchar(4) NOT NULL,
        idempotency_key varchar(160) NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (carrier, idempotency_key)
      )`,
    `
      CREATE TABLE daily_count (
        carrier varchar(4) NOT NULL,
        day date NOT NULL,
        policy varchar(64) NOT NULL,
        action varchar(10) NOT NULL,
        reason varchar(64) NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (carrier, day, policy, action, reason)
      )`,
    // Number portability: wins over the segment table.
    `
      CREATE TABLE ported_number (
        msisdn varchar(16) PRIMARY KEY,
        carrier varchar(4) NOT NULL,
        idempotency_key varchar(128) NOT NULL UNIQUE,
        set_by varchar(128) NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now()
      )`,
    `
      CREATE TABLE directive (
        id varchar(64) PRIMARY KEY,
        idempotency_key varchar(160) UNIQUE,
        content_hash char(64) NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN ('REVIEW', 'SUSPEND', 'RESTORE', 'HIGH_RISK_CELLS')),
        carrier varchar(4) NOT NULL,
        msisdn varchar(16),
        case_id varchar(64),
        reason text NOT NULL,
        evidence jsonb NOT NULL DEFAULT '{}',
        cells jsonb,
        cells_version bigint,
        issued_by varchar(128) NOT NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        status varchar(10) NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'APPLIED', 'REJECTED', 'EXPIRED')),
        deliveries integer NOT NULL DEFAULT 0,
        last_delivered_at timestamptz,
        acknowledged_at timestamptz,
        ack_detail text,
        ack_state varchar(10)
      )`,
    `CREATE INDEX directive_open_idx ON directive (carrier, issued_at) WHERE status IN ('PENDING', 'DELIVERED')`,
    `CREATE INDEX directive_msisdn_idx ON directive (msisdn, issued_at)`,
    `
      CREATE TABLE high_risk_cell (
        cell varchar(40) PRIMARY KEY,
        reason text NOT NULL,
        source varchar(128) NOT NULL,
        added_by varchar(128) NOT NULL,
        added_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
    // Every change to the list, with its version: the list's history and the changes' idempotency.
    `
      CREATE TABLE high_risk_cell_change (
        version bigserial PRIMARY KEY,
        idempotency_key varchar(160) NOT NULL UNIQUE,
        content_hash char(64) NOT NULL,
        cell varchar(40) NOT NULL,
        change varchar(6) NOT NULL CHECK (change IN ('ADD', 'REMOVE')),
        reason text NOT NULL,
        source varchar(128) NOT NULL,
        actor varchar(128) NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz
      )`,
    // One case per suspension of a number, following it across carrier, province and police.
    `
      CREATE TABLE case_file (
        case_id varchar(64) PRIMARY KEY,
        msisdn varchar(16) NOT NULL,
        owner varchar(4) NOT NULL,
        status varchar(10) NOT NULL CHECK (status IN ('OPEN', 'RESOLVED', 'ESCALATED')),
        opened_at timestamptz NOT NULL,
        cleared_at timestamptz,
        due_at timestamptz,
        resolved_at timestamptz,
        escalated_at timestamptz
      )`,
    `CREATE INDEX case_file_msisdn_idx ON case_file (msisdn, opened_at)`,
    `CREATE INDEX case_file_open_idx ON case_file (due_at) WHERE status = 'OPEN'`,
    `
      CREATE TABLE case_event (
        id bigserial PRIMARY KEY,
        case_id varchar(64) NOT NULL REFERENCES case_file (case_id),
        at timestamptz NOT NULL,
        actor varchar(128) NOT NULL,
        what text NOT NULL
      )`,
    `CREATE INDEX case_event_case_idx ON case_event (case_id, at)`,
    // How far the registry's change feed was read (police clearances start the case clocks).
    `CREATE TABLE registry_cursor (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)`,
    `INSERT INTO registry_cursor (id, version) VALUES (1, 0)`,
  ];

  protected readonly downSql = [
    ...[
      'registry_cursor',
      'case_event',
      'case_file',
      'high_risk_cell_change',
      'high_risk_cell',
      'directive',
      'ported_number',
      'daily_count',
      'feed_item',
      'carrier_decision',
    ].map((table) => `DROP TABLE ${table}`),
  ];
}
