import type { carrier } from '@app/contracts';
import { startProvince, type Province } from '../apps/carrier/test/linked-services';
import { playLiveScene } from './demo-live';

describe("the demo's live scene against a running province", () => {
  let province: Province;
  beforeAll(async () => {
    province = await startProvince(['CMCC']);
  });
  afterAll(() => province?.close());

  it('lists the cell, waits for the carrier to apply it, and ends in a suspension that cites the cell', async () => {
    const said: string[] = [];
    const services = [
      { plan: { name: 'admin' }, address: province.admin.address },
      { plan: { name: 'carrier-cmcc' }, address: province.carriers.CMCC.address },
    ];
    const subject = await playLiveScene(
      services,
      { AUTH_KEY_DIR: province.registry.keyDir, GRPC_INSECURE: 'true' },
      (line) => said.push(line),
      false,
    );
    expect(subject).toBeDefined();
    const listed = said[0].match(/base station (\S+) as high-risk/)?.[1];
    expect(listed).toBeDefined();
    expect(said.at(-1)).toContain(`npx fraudctl explain ${subject!.slice(3)}`);

    const explained = await province.carriers.CMCC.client().explainNumber({ msisdn: subject!, purpose: 'demo test' });
    const suspension = explained.decisions.find(
      (d: carrier.Decision) => d.action === ('ACTION_SUSPEND' as carrier.Action),
    );
    expect(suspension?.evidence?.cells.length).toBeGreaterThan(0);
    expect(suspension!.evidence!.cells.every((c) => c.cell === listed)).toBe(true);
  });

  it('is skipped, saying why, without the CMCC carrier', async () => {
    const said: string[] = [];
    expect(
      await playLiveScene(
        [{ plan: { name: 'admin' }, address: province.admin.address }],
        {},
        (line) => said.push(line),
        false,
      ),
    ).toBeUndefined();
    expect(said).toEqual(['live scene skipped: it needs the admin and the CMCC carrier']);
  });
});
