import { demoArguments } from './demo-plan';
import { launchPlan, type ServicePlan } from './launcher/plan';

const service = (name: string, address: string) => ({ plan: { name } as ServicePlan, address });

describe(demoArguments.name, () => {
  const services = [
    service('registry', '127.0.0.1:50051'),
    service('admin', '127.0.0.1:50052'),
    service('carrier-cmcc', '127.0.0.1:50061'),
    service('carrier-ctcc', '127.0.0.1:50063'),
  ];

  it('simulates the days up to today (China Standard Time) into every carrier started', () => {
    // 2026-11-29 02:00 in Beijing is still 2026-11-28 in UTC: the days end on the 29th there.
    expect(demoArguments(services, {}, new Date('2026-11-28T18:00:00Z'))).toEqual({
      subscribers: 20_000,
      days: 2,
      seed: 1,
      carriers: { CMCC: '127.0.0.1:50061', CTCC: '127.0.0.1:50063' },
      start: '2026-11-27T00:00',
    });
  });

  it('takes its size from the environment, validated', () => {
    expect(
      demoArguments(services, { DEMO_SUBSCRIBERS: '5000', DEMO_DAYS: '3' }, new Date('2026-11-29T12:00:00Z')),
    ).toMatchObject({ subscribers: 5000, days: 3, start: '2026-11-26T00:00' });
    expect(() => demoArguments(services, { DEMO_DAYS: '30' }, new Date())).toThrow('DEMO_DAYS');
  });

  it('feeds a carrier run as shards at its shard 0, the carrier’s address', () => {
    const plan = launchPlan({ CARRIER_IDS: 'CMCC,CTCC', CARRIER_SHARDS: '2' }).flat();
    const sharded = plan.map((p) => ({ plan: p, address: `127.0.0.1:${p.port}` }));
    expect(demoArguments(sharded, {}, new Date('2026-11-28T18:00:00Z')).carriers).toEqual({
      CMCC: '127.0.0.1:50061',
      CTCC: '127.0.0.1:50063',
    });
  });
});
