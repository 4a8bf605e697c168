import { envInt, type Env } from '@app/config';
import type { ServicePlan } from './launcher/plan';
import type { SimCarrier, SimulateArguments } from './simulate-cli';

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;

/**
 * What the demo simulates: DEMO_SUBSCRIBERS (default 20,000) over DEMO_DAYS
 * (default 2) ending today, China Standard Time, so the dashboard's date range
 * shows it; fed to every carrier that was started.
 */
export function demoArguments(
  services: { plan: ServicePlan; address: string }[],
  env: Env,
  now: Date,
): SimulateArguments {
  const days = envInt(env, 'DEMO_DAYS', 2, 1, 14);
  const carriers: Partial<Record<SimCarrier, string>> = {};
  for (const { plan, address } of services) {
    // A carrier run as shards (carrier-cmcc/0, carrier-cmcc/1, ...) is fed at its shard 0, the carrier's address.
    if ((plan.shard?.index ?? 0) !== 0) continue;
    const id = plan.name.startsWith('carrier-')
      ? (plan.name.slice('carrier-'.length).replace(/\/0$/, '').toUpperCase() as SimCarrier)
      : undefined;
    if (id === 'CMCC' || id === 'CUCC' || id === 'CTCC') carriers[id] = address;
  }
  const todayCst = Math.floor((now.getTime() + CST_MS) / DAY_MS) * DAY_MS;
  const start = new Date(todayCst - days * DAY_MS).toISOString().slice(0, 16);
  return {
    subscribers: envInt(env, 'DEMO_SUBSCRIBERS', 20_000, 100, 1_000_000),
    days,
    seed: envInt(env, 'DEMO_SEED', 1, 0, 2 ** 31),
    carriers,
    start,
  };
}
