import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { carrier } from '@app/contracts';
import { TestClock } from '@app/testing';
import { AdminHarness } from '../apps/admin/test/admin-harness';
import { CarrierHarness } from '../apps/carrier/test/carrier-harness';
import { RegistryHarness } from '../apps/registry/test/registry-harness';
import { playLiveScene, type SceneClock } from './demo-live';

describe("the demo's live scene against a running province", () => {
  // The province's clock and the scene's: the scene's hour at the cell passes by running the clock ahead.
  const clock = new TestClock();
  let ahead = 0;
  const sceneClock: SceneClock = {
    now: () => clock.now().getTime(),
    sleep: async (ms) => clock.runAhead((ahead += ms)),
  };
  let keyDir: string;
  let registry: RegistryHarness;
  let admin: AdminHarness;
  let cmcc: CarrierHarness;
  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'demo-live-keys-'));
    const fast = { OUTBOX_INTERVAL_MS: '50', REGISTRY_RETRY_MAX_MS: '500', ADMIN_RETRY_MAX_MS: '500' };
    registry = await RegistryHarness.start({ keyDir, clock });
    admin = await AdminHarness.start({ keyDir, clock, env: { REGISTRY_ADDRESS: registry.address } });
    cmcc = await CarrierHarness.start('CMCC', {
      keyDir,
      clock,
      env: { ...fast, REGISTRY_ADDRESS: registry.address, ADMIN_ADDRESS: admin.address },
    });
  });
  afterAll(async () => {
    await cmcc?.close();
    await admin?.close();
    await registry?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('lists the cell, and an hour of the crew there later ends in a suspension for activity at the cell', async () => {
    const said: string[] = [];
    const services = [
      { plan: { name: 'admin' }, address: admin.address },
      { plan: { name: 'carrier-cmcc' }, address: cmcc.address },
    ];
    const subject = await playLiveScene(
      services,
      { AUTH_KEY_DIR: keyDir, GRPC_INSECURE: 'true' },
      (line) => said.push(line),
      sceneClock,
    );
    expect(subject).toBeDefined();
    const listed = said[0].match(/base station (\S+) as high-risk/)?.[1];
    expect(listed).toBeDefined();
    expect(said[1]).toMatch(/after an hour there, it dials strangers .*HIGH_RISK_CELL_ACTIVITY/);
    expect(ahead).toBeGreaterThanOrEqual(60 * 60_000);
    expect(said.at(-1)).toMatch(
      /HIGH_RISK_CELL_ACTIVITY.*: calls to strangers after an hour at the listed base station/,
    );
    expect(said.at(-1)).toContain(`npx fraudctl explain ${subject!.slice(3)}`);

    const explained = await cmcc.client().explainNumber({ msisdn: subject!, purpose: 'demo test' });
    const suspension = explained.decisions.find(
      (d: carrier.Decision) => d.action === ('ACTION_SUSPEND' as carrier.Action),
    );
    expect(suspension?.reasons.map((r) => r.code)).toContain('HIGH_RISK_CELL_ACTIVITY');
    expect(suspension?.evidence?.cells.length).toBeGreaterThan(0);
    expect(suspension!.evidence!.cells.every((c) => c.cell === listed)).toBe(true);
  });

  it('is skipped, saying why, without the CMCC carrier', async () => {
    const said: string[] = [];
    expect(
      await playLiveScene([{ plan: { name: 'admin' }, address: admin.address }], {}, (line) => said.push(line)),
    ).toBeUndefined();
    expect(said).toEqual(['live scene skipped: it needs the admin and the CMCC carrier']);
  });
});
