import { SqlMigration } from '@app/persistence';
import { DEFAULT_POLICY_V1, NAIVE_POLICY } from '@app/domain';

/**
 * A carrier's tables. Raw events are not stored (the carrier keeps its CDRs);
 * decisions keep the evidence that produced them. Tables are keyed by number
 * first where they hold per-number data, so they shard by msisdn.
 */
export class CreateCarrier1764400000200 extends SqlMigration {
  name = 'CreateCarrier1764400000200';

  protected readonly upSql = [
    `
      CREATE TABLE subscriber (
        msisdn varchar(16) PRIMARY KEY,
        activated_at timestamptz NOT NULL,
        real_name_verified boolean NOT NULL,
        profile varchar(12) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    `
      CREATE TABLE policy (
        name varchar(40) NOT NULL,
        version integer NOT NULL,
        document jsonb NOT NULL,
        created_by varchar(128) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, version)
      )`,
    `
      CREATE TABLE policy_assignment (
        id bigserial PRIMARY KEY,
        mode varchar(12) NOT NULL CHECK (mode IN ('ACTIVE', 'SHADOW', 'SHADOW_OFF')),
        name varchar(40),
        version integer,
        reason text NOT NULL,
        changed_by varchar(128) NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (name, version) REFERENCES policy (name, version)
      )`,
    `
      CREATE TABLE decision (
        id char(32) PRIMARY KEY,
        msisdn varchar(16) NOT NULL,
        at timestamptz NOT NULL,
        action varchar(10) NOT NULL,
        previous varchar(10) NOT NULL,
        reasons text[] NOT NULL,
        score double precision NOT NULL,
        policy varchar(64) NOT NULL,
        shadow boolean NOT NULL,
        evidence jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`,
    `CREATE INDEX decision_msisdn_idx ON decision (msisdn, at DESC)`,
    `CREATE INDEX decision_at_idx ON decision (at DESC, id)`,
    `
      CREATE TABLE notice (
        id bigserial PRIMARY KEY,
        decision_id char(32) NOT NULL UNIQUE REFERENCES decision (id),
        msisdn varchar(16) NOT NULL,
        at timestamptz NOT NULL,
        text text NOT NULL,
        sent_at timestamptz
      )`,
    `CREATE INDEX notice_msisdn_idx ON notice (msisdn, at DESC)`,
    `CREATE INDEX notice_unsent_idx ON notice (id) WHERE sent_at IS NULL`,
    `
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        destination varchar(10) NOT NULL CHECK (destination IN ('REGISTRY', 'ADMIN')),
        idempotency_key varchar(128) NOT NULL,
        msisdn varchar(16) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        CONSTRAINT outbox_idempotency_uq UNIQUE (destination, idempotency_key)
      )`,
    `CREATE INDEX outbox_pending_idx ON outbox (destination, id) WHERE delivered_at IS NULL`,
    `
      CREATE TABLE profile_declaration (
        id bigserial PRIMARY KEY,
        idempotency_key varchar(128) NOT NULL UNIQUE,
        content_hash char(64) NOT NULL,
        msisdn varchar(16) NOT NULL,
        profile varchar(12) NOT NULL,
        attested_by varchar(200) NOT NULL,
        attestation_reference varchar(200) NOT NULL,
        declared_by varchar(128) NOT NULL,
        declared_at timestamptz NOT NULL
      )`,
    `CREATE INDEX profile_declaration_msisdn_idx ON profile_declaration (msisdn, declared_at DESC)`,
    `
      CREATE TABLE reactivation (
        id bigserial PRIMARY KEY,
        idempotency_key varchar(128) NOT NULL UNIQUE,
        content_hash char(64) NOT NULL,
        msisdn varchar(16) NOT NULL,
        verification_reference varchar(200) NOT NULL,
        national_id_hash char(64),
        national_id_last4 varchar(4),
        id_verified boolean NOT NULL,
        outcome varchar(20) NOT NULL,
        performed_by varchar(128) NOT NULL,
        at timestamptz NOT NULL
      )`,
    `CREATE INDEX reactivation_msisdn_idx ON reactivation (msisdn, at)`,
    `
      CREATE TABLE appeal (
        id bigserial PRIMARY KEY,
        idempotency_key varchar(128) NOT NULL UNIQUE,
        content_hash char(64) NOT NULL,
        msisdn varchar(16) NOT NULL,
        upheld boolean NOT NULL,
        reference varchar(200) NOT NULL,
        note text NOT NULL,
        resolved_by varchar(128) NOT NULL,
        at timestamptz NOT NULL
      )`,
    `CREATE INDEX appeal_msisdn_idx ON appeal (msisdn, at)`,
    // The local copy of the registry, for call setup, and how far the change feed was read.
    'CREATE TABLE registry_status (msisdn varchar(16) PRIMARY KEY, status varchar(12) NOT NULL, ' +
      'version bigint NOT NULL)',
    `CREATE TABLE registry_cursor (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)`,
    `INSERT INTO registry_cursor (id, version) VALUES (1, 0)`,
    // The two built-in policies as they were first shipped, as data; default is active.
    ...[NAIVE_POLICY, DEFAULT_POLICY_V1].map((policy) => ({
      sql: `INSERT INTO policy (name, version, document, created_by) VALUES ($1, $2, $3, 'built-in')`,
      parameters: [policy.name, policy.version, JSON.stringify(policy)],
    })),
    {
      sql:
        'INSERT INTO policy_assignment (mode, name, version, reason, changed_by) ' +
        "VALUES ('ACTIVE', $1, $2, 'built-in default', 'built-in')",
      parameters: [DEFAULT_POLICY_V1.name, DEFAULT_POLICY_V1.version],
    },
  ];

  protected readonly downSql = [
    ...[
      'registry_cursor',
      'registry_status',
      'appeal',
      'reactivation',
      'profile_declaration',
      'outbox',
      'notice',
      'decision',
      'policy_assignment',
      'policy',
      'subscriber',
    ].map((table) => `DROP TABLE ${table}`),
  ];
}
