import { CarrierHarness } from '../apps/carrier/test/carrier-harness';
import { parseSimulateArguments, runSimulate } from './simulate-cli';

describe('simulate --carriers (into a real carrier service)', () => {
  let ctcc: CarrierHarness;
  beforeAll(async () => {
    ctcc = await CarrierHarness.start('CTCC');
  });
  afterAll(async () => {
    await ctcc?.close();
  });

  it('streams its subscribers and all traffic to the carrier named, with progress on stderr', async () => {
    const err: string[] = [];
    const result = await runSimulate(
      parseSimulateArguments([
        '--carriers',
        '--subscribers',
        '600',
        '--days',
        '1',
        '--seed',
        '3',
        '--address',
        `CTCC=${ctcc.address}`,
      ]),
      { write: (c: string) => err.push(c), isTTY: false },
      // Plaintext, with a token signed by the carrier's key, as under npm start.
      { GRPC_INSECURE: 'true', AUTH_KEY_DIR: ctcc.keyDir },
    );
    expect(Object.keys(result.carriers ?? {})).toEqual(['CTCC']);
    const fed = result.carriers!.CTCC!;
    expect(fed.sent).toBeGreaterThan(1000);
    expect(fed.sent).toBeLessThan(result.events); // other carriers' subscriber records stay away
    expect(JSON.stringify(fed.response)).toMatch(/\d/);
    expect(result.failures).toEqual([]);
    expect(err.join('')).toMatch(/simulate: \[#+\] 100\.0% .* events\/s, ETA/);
  });

  it('fails, calling the events late, once the carrier has seen newer ones; --start now puts them after', async () => {
    const env = { GRPC_INSECURE: 'true', AUTH_KEY_DIR: ctcc.keyDir };
    const base = [
      '--carriers',
      '--subscribers',
      '300',
      '--days',
      '1',
      '--seed',
      '8',
      '--address',
      `CTCC=${ctcc.address}`,
    ];
    const now = await runSimulate(parseSimulateArguments([...base, '--start', 'now']), { write: () => true }, env);
    expect(now.failures).toEqual([]);
    expect(now.carriers!.CTCC!.response.late).toBe(0);
    // Dated 2024, behind what the carrier has now seen.
    const old = await runSimulate(parseSimulateArguments(base), { write: () => true }, env);
    expect(old.carriers!.CTCC!.response.late).toBeGreaterThan(old.carriers!.CTCC!.sent / 2);
    expect(old.failures).toEqual([expect.stringMatching(/^CTCC turned away .* late.*--start now/)]);
  });
});
