import { createPublicKey, verify } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { anchorMessage, asHashed, chainHash, GENESIS_HASH, type AuditRecord } from '@app/audit';
import { registry as wire } from '@app/contracts';
import { loadOrCreateSigningKeys } from '@app/grpc';
import { resolveDatabaseLogins } from '@app/persistence';
import { registryDatabase } from '../src/database';
import { numbers, RegistryHarness, type RegistryClient } from './registry-harness';

const FAULT = wire.AuditChainFault;

/** SQL as the owner: what a rogue superuser could do behind the registry's back. */
async function asOwner(registry: RegistryHarness, ...statements: string[]): Promise<void> {
  const client = new Client({ connectionString: registry.db.url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

async function ownerRows<T>(registry: RegistryHarness, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: registry.db.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('audit chain anchors (registry over gRPC)', () => {
  let registry: RegistryHarness;
  let auditor: RegistryClient;
  const readers = numbers(6, 8800);

  /** Audited reads: one line each. */
  const audited = async (count: number, purpose: string) => {
    const police = registry.client('police');
    for (let i = 0; i < count; i++)
      await police.getNumberRecord({ msisdn: readers[i % readers.length], purpose: `${purpose} ${i}` });
  };

  beforeEach(async () => {
    registry = await RegistryHarness.start();
    auditor = registry.client('auditor');
  });
  afterEach(() => registry.close());

  it('anchors the head at start and each VerifyAuditChain: own-key signed, anchor-role written, logged', async () => {
    const logged = jest.spyOn(Logger.prototype, 'log');
    await audited(3, 'before');
    const first = await auditor.verifyAuditChain();
    expect(first).toMatchObject({
      intact: true,
      fault: FAULT.AUDIT_CHAIN_FAULT_UNSPECIFIED,
      detail: '',
      eventsChecked: 3,
    });
    // The start-up anchor, of the empty log, was the newest before this call.
    expect(first.anchorChecked).toMatchObject({ headId: 0, headHash: GENESIS_HASH });
    const published = first.anchorPublished!;
    const [head] = await ownerRows<{ id: string; hash: string }>(
      registry,
      'SELECT id::text AS id, hash FROM audit_event ORDER BY id DESC LIMIT 1',
    );
    expect(published).toMatchObject({ headId: Number(head.id), headHash: head.hash });
    const at = new Date(published.at!.seconds * 1000 + published.at!.nanos / 1e6);
    const key = createPublicKey(first.anchorPublicKey);
    expect(
      verify(
        null,
        anchorMessage({ headId: String(published.headId), headHash: published.headHash, at }),
        key,
        Buffer.from(published.signature, 'base64'),
      ),
    ).toBe(true);
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: 'audit anchor',
        head_id: head.id,
        head_hash: head.hash,
        signature: published.signature,
      }),
    );
    logged.mockRestore();

    // Not the token key, and stored where the application role cannot write.
    expect(first.anchorPublicKey).not.toBe(
      loadOrCreateSigningKeys(registry.keyDir).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const [app, anchor] = resolveDatabaseLogins(registryDatabase, undefined, registry.env, registry.db.url);
    expect(anchor.role).toBe('fraud_audit_anchor');
    const asApp = new Client({ connectionString: app.url });
    await asApp.connect();
    try {
      await expect(
        asApp.query(
          `INSERT INTO audit_anchor (head_id, head_hash, at, key_id, signature) VALUES (0, $1, now(), 'k', 's')`,
          [GENESIS_HASH],
        ),
      ).rejects.toMatchObject({ code: '42501' });
      expect((await asApp.query('SELECT count(*)::int AS n FROM audit_anchor')).rows[0].n).toBeGreaterThanOrEqual(2);
    } finally {
      await asApp.end();
    }
    const asAnchor = new Client({ connectionString: anchor.url });
    await asAnchor.connect();
    try {
      for (const refused of [
        'SELECT * FROM audit_event',
        'DELETE FROM audit_anchor',
        'UPDATE audit_anchor SET head_id = 0',
        'TRUNCATE audit_anchor',
      ]) {
        await expect(asAnchor.query(refused)).rejects.toMatchObject({ code: '42501' });
      }
    } finally {
      await asAnchor.end();
    }
  });

  it('reports the newest lines deleted by a rogue owner, after a restart too: rows missing after id N', async () => {
    await audited(5, 'kept or not');
    const anchored = (await auditor.verifyAuditChain()).anchorPublished!;
    expect(anchored.headId).toBe(5);
    await asOwner(
      registry,
      'ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change',
      'DELETE FROM audit_event WHERE id > 3',
      'ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change',
    );
    // The remaining lines still link up: only the anchor tells.
    await registry.stop();
    await registry.boot();
    auditor = registry.client('auditor');
    const report = await auditor.verifyAuditChain();
    expect(report).toMatchObject({
      intact: false,
      fault: FAULT.AUDIT_CHAIN_FAULT_ROWS_MISSING,
      missingAfterId: 3,
      eventsChecked: 3,
    });
    expect(report.detail).toMatch(/^rows missing after id 3: anchor \d+ of .* records line 5 /);
  });

  it('reports a truncated log, and logs the lost head at its next anchor', async () => {
    await audited(2, 'soon gone');
    await auditor.verifyAuditChain();
    await asOwner(
      registry,
      'ALTER TABLE audit_event DISABLE TRIGGER USER',
      'TRUNCATE audit_event',
      'ALTER TABLE audit_event ENABLE TRIGGER USER',
    );
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      expect(await auditor.verifyAuditChain()).toMatchObject({
        intact: false,
        fault: FAULT.AUDIT_CHAIN_FAULT_ROWS_MISSING,
        missingAfterId: 0,
        eventsChecked: 0,
      });
      expect(errors).toHaveBeenCalledWith(
        expect.objectContaining({ msg: 'audit chain lost an anchored line', head_id: '2', found_hash: null }),
      );
    } finally {
      errors.mockRestore();
    }
  });

  it('reports a chain rewritten and linked again from an anchored line on: hash mismatch at that id', async () => {
    await audited(4, 'original');
    await auditor.verifyAuditChain();
    // A rogue owner edits line 2 and recomputes every hash after it, so every link holds.
    const client = new Client({ connectionString: registry.db.url });
    await client.connect();
    try {
      await client.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change');
      await client.query(`UPDATE audit_event SET purpose = 'nothing to see' WHERE id = 2`);
      const rows = (await client.query('SELECT * FROM audit_event ORDER BY id')).rows;
      let prev = GENESIS_HASH;
      for (const row of rows) {
        const record = asHashed({ ...(row as AuditRecord), caseId: row.case_id, hashedTarget: row.hashed_target })!;
        const hash = chainHash(prev, record);
        await client.query('UPDATE audit_event SET prev_hash = $1, hash = $2 WHERE id = $3', [prev, hash, row.id]);
        prev = hash;
      }
      await client.query('ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change');
    } finally {
      await client.end();
    }
    const report = await auditor.verifyAuditChain();
    expect(report).toMatchObject({ intact: false, fault: FAULT.AUDIT_CHAIN_FAULT_HASH_MISMATCH, firstBrokenId: 4 });
    expect(report.detail).toMatch(/^hash mismatch at id 4: /);
  });

  it('reports a forged anchor: one that does not verify, whatever it claims', async () => {
    await audited(2, 'forgery');
    const { anchorPublished } = await auditor.verifyAuditChain();
    const [, anchor] = resolveDatabaseLogins(registryDatabase, undefined, registry.env, registry.db.url);
    const forger = new Client({ connectionString: anchor.url });
    await forger.connect();
    try {
      // Someone with the anchor role's password but not the key:
      // a head that agrees with the chain, a made-up signature.
      await forger.query(
        `INSERT INTO audit_anchor (head_id, head_hash, at, key_id, signature) VALUES ($1, $2, now(), $3, $4)`,
        [
          anchorPublished!.headId,
          anchorPublished!.headHash,
          anchorPublished!.keyId,
          Buffer.alloc(64, 7).toString('base64'),
        ],
      );
    } finally {
      await forger.end();
    }
    const report = await auditor.verifyAuditChain();
    expect(report).toMatchObject({ intact: false, fault: FAULT.AUDIT_CHAIN_FAULT_ANCHOR_INVALID });
    expect(report.detail).toMatch(/does not verify with this registry's key: forged/);
  });

  it('anchors at least every AUDIT_ANCHOR_INTERVAL_MS', async () => {
    await registry.close();
    registry = await RegistryHarness.start({ env: { AUDIT_ANCHOR_INTERVAL_MS: '1000' } });
    await audited(1, 'between anchors');
    const deadline = Date.now() + 20_000;
    let anchoredLine = false;
    while (!anchoredLine && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      anchoredLine = (await ownerRows(registry, 'SELECT 1 FROM audit_anchor WHERE head_id = 1')).length > 0;
    }
    expect(anchoredLine).toBe(true);
  });
});
