import { setTimeout as sleep } from 'node:timers/promises';
import type { admin, carrier } from '@app/contracts';
import { action, directiveStatus } from '@app/contracts/codecs';
import type { Env } from '@app/config';
import {
  Action,
  normaliseMsisdn,
  ReportCategory,
  UsageProfile,
  type CarrierEvent,
  type CellId,
  type Msisdn,
} from '@app/domain';
import {
  clientCredentials,
  clientStreaming,
  createGrpcClient,
  loadSigningKey,
  unary,
  type GrpcServiceClient,
} from '@app/grpc';
import { toWireEvent } from '../apps/carrier/src/ingest/event.mapper';
import { mintDevTokens, ADMIN_TOKEN_VARIABLE } from './launcher/dev-tokens';
import type { ServicePlan } from './launcher/plan';

/**
 * The demo's live scene. The simulated history ends before the demo starts, so
 * nothing in it can be at a cell the administration lists now (a cell counts
 * from the moment it is listed). The scene plays after the history: the
 * administration lists a base station as a fraud den (a police tip-off), a crew
 * works from it for an hour, then dials strangers, two of the people it reached
 * report it, and the carrier suspends the number for its activity at the cell
 * (HIGH_RISK_CELL_ACTIVITY: calls after an hour's stay, to strangers, mostly
 * unanswered), which `fraudctl explain` then shows. Passing through would not do:
 * the active policy counts calls only after `minDwellMin` (60) at the cell.
 *
 * The hour is real: a cell counts from the moment it is listed, a carrier takes
 * no event dated more than EVENT_MAX_AHEAD_SEC ahead of its clock, and the
 * administration and the registry refuse decisions dated in the future. So the
 * scene's events are sent as their times come, and the suspension follows an
 * hour after the listing; the stack serves meanwhile (the history's suspensions
 * are on the dashboard at once).
 */

export interface LiveScene {
  /** The base station the administration lists, and why. */
  cell: CellId;
  reason: string;
  carrier: 'CMCC';
  /** The crew's number. */
  subject: Msisdn;
  /** In time order, from `now`: subscriber records first. */
  events: CarrierEvent[];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 86_400_000;
const VICTIMS = 40;
/** How long the crew stays at the cell before dialling: the default policy's minDwellMin, and a second. */
export const SCENE_DWELL_MS = 60 * MINUTE + SECOND;
/** Seen at the cell this often while it stays (a stay ends after dwellGapMin, 30, without a sighting). */
const SIGHTING_EVERY_MS = 20 * MINUTE;
const CALL_EVERY_MS = SECOND / 2;
/** The first answered calls' callees report it, this long after the last call. */
const REPORT_DELAY_MS = [3 * SECOND, 6 * SECOND];

/**
 * The scene starting at `now`, an hour and a minute long. Its numbers (CMCC
 * segments 198 and 188, which the simulated population does not use) change
 * with the minute, so each demo run shows a new suspension.
 */
export function liveScene(now: number): LiveScene {
  const run = String(Math.floor(now / 60_000) % 10_000).padStart(4, '0');
  const n = (national: string) => normaliseMsisdn(national, 'demo');
  const subject = n(`1985${run}000`);
  const cell = `460-00-${20_000 + (Number(run) % 5_000)}-7` as CellId;
  const events: CarrierEvent[] = [
    {
      type: 'subscriber',
      at: now,
      msisdn: subject,
      carrier: 'CMCC',
      activatedAt: now - 40 * DAY,
      realNameVerified: true,
      profile: UsageProfile.None,
    },
  ];
  const victims = Array.from({ length: VICTIMS }, (_, i) => n(`188${run}${String(i).padStart(4, '0')}`));
  for (const victim of victims) {
    events.push({
      type: 'subscriber',
      at: now,
      msisdn: victim,
      carrier: 'CMCC',
      activatedAt: now - 3 * 365 * DAY,
      realNameVerified: true,
      profile: UsageProfile.None,
    });
  }
  // The crew stays: seen at the cell from `now` on, never longer apart than a stay allows.
  for (let at = now; at < now + SCENE_DWELL_MS; at += SIGHTING_EVERY_MS)
    events.push({ type: 'location', at, msisdn: subject, cell });
  const dialling = now + SCENE_DWELL_MS;
  const answered: Msisdn[] = [];
  victims.forEach((victim, i) => {
    // Two in five answer: a script read to strangers, mostly cut short.
    const pickedUp = i % 5 === 1 || i % 5 === 3;
    if (pickedUp) answered.push(victim);
    events.push({
      type: 'call',
      at: dialling + i * CALL_EVERY_MS,
      caller: subject,
      callee: victim,
      answered: pickedUp,
      durationSec: pickedUp ? 40 + ((i * 37) % 200) : 20,
      cell,
    });
  });
  const lastCall = dialling + (VICTIMS - 1) * CALL_EVERY_MS;
  REPORT_DELAY_MS.forEach((delay, i) =>
    events.push({
      type: 'report',
      at: lastCall + delay,
      reporter: answered[i],
      reported: subject,
      category: ReportCategory.Fraud,
    }),
  );
  return {
    cell,
    reason: 'police tip-off: a fraud crew works from this base station',
    carrier: 'CMCC',
    subject,
    events,
  };
}

/** The scene's time: the wall clock, or a test's, which runs ahead instead of waiting. */
export interface SceneClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const WALL_CLOCK: SceneClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

/** China Standard Time, hours and minutes. */
const cstTime = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(11, 16);

/** How long the demo waits for the carrier to apply the new list, and to decide. */
const WAIT_MS = 30_000;

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`live scene: no ${what} within ${WAIT_MS / 1000} s`);
    await sleep(200);
  }
}

/**
 * Plays the scene against running services: lists the cell at the
 * administration, waits until the carrier has applied that list, streams the
 * events as their times come, then waits for the suspension.
 */
export async function playLiveScene(
  services: { plan: Pick<ServicePlan, 'name'>; address: string }[],
  env: Env,
  say: (line: string) => void,
  clock: SceneClock = WALL_CLOCK,
): Promise<Msisdn | undefined> {
  const adminAddress = services.find((s) => s.plan.name === 'admin')?.address;
  // Run as shards, the carrier is reached at its shard 0.
  const carrierAddress = services.find((s) => ['carrier-cmcc', 'carrier-cmcc/0'].includes(s.plan.name))?.address;
  if (!adminAddress || !carrierAddress) {
    say('live scene skipped: it needs the admin and the CMCC carrier');
    return undefined;
  }
  const tokens = mintDevTokens(loadSigningKey(env));
  const token = (variable: string) => tokens.find((t) => t.variable === variable)!.token;
  const credentials = clientCredentials(env);
  const adminClient = createGrpcClient('fraud.admin.v1.AdminService', 'fraud/admin/v1/admin.proto', adminAddress, {
    credentials,
    token: token(ADMIN_TOKEN_VARIABLE),
  });
  const carrierClient = createGrpcClient(
    'fraud.carrier.v1.CarrierService',
    'fraud/carrier/v1/carrier.proto',
    carrierAddress,
    { credentials, token: token('CARRIER_TOKEN') },
  );
  try {
    const scene = liveScene(clock.now());
    const added = await unary<admin.AddHighRiskCellResponse>(adminClient, 'addHighRiskCell', {
      idempotencyKey: `demo-${scene.cell}`,
      cell: scene.cell,
      reason: scene.reason,
      source: 'police:demo',
      expiresInDays: 1,
    });
    const version = added.list?.version ?? 0;
    say(
      `live: the administration lists base station ${scene.cell} as high-risk (${scene.reason}): ` +
        `list version ${version}`,
    );
    await until('acknowledgement of the list from CMCC', async () => {
      const listed = await unary<admin.ListDirectivesResponse>(adminClient, 'listDirectives', {
        carrier: 'CMCC',
        page: { pageSize: 50 },
      });
      return listed.directives.find(
        (r) => (r.directive?.cells?.version ?? 0) >= version && directiveStatus.tryFromWire(r.status) === 'APPLIED',
      );
    });
    // Played from now, once the list is in force at the carrier (after it was listed, so the cell counts).
    const offset = clock.now() - scene.events[0].at;
    const live = { ...scene, events: scene.events.map((event) => ({ ...event, at: event.at + offset })) };
    const dialling = live.events.find((e) => e.type === 'call')!.at;
    say(
      `live: CMCC applied it; a crew works from ${scene.cell} from now on, seen there every 20 minutes. ` +
        `At ${cstTime(dialling)} (China Standard Time), after an hour there, it dials strangers from ` +
        `${live.subject.slice(3)}, two of them report it, and CMCC suspends it for its activity at the cell ` +
        '(HIGH_RISK_CELL_ACTIVITY; passing through would not count). The dashboard has the history meanwhile',
    );
    const sent = await stream(carrierClient, live.events, clock);
    if (sent.rejected > 0)
      throw new Error(`live scene: CMCC rejected ${sent.rejected} events: ${JSON.stringify(sent.rejections)}`);
    const suspension = await until(`suspension of ${live.subject} at CMCC`, async () => {
      const listed = await unary<carrier.ListDecisionsResponse>(carrierClient, 'listDecisions', {
        msisdn: live.subject,
        page: { pageSize: 20 },
      });
      return listed.decisions.find((d) => action.tryFromWire(d.action) === Action.Suspend);
    });
    const codes = suspension.reasons.map((r) => r.code);
    say(
      `live: CMCC suspended ${live.subject.slice(3)} (${codes.join(', ')})` +
        (codes.includes('HIGH_RISK_CELL_ACTIVITY')
          ? ': calls to strangers after an hour at the listed base station, not passing through'
          : '') +
        `; why, with the cell: npx fraudctl explain ${live.subject.slice(3)}`,
    );
    return live.subject;
  } finally {
    adminClient.close();
    carrierClient.close();
  }
}

/**
 * The events, each once its time has come, those due together in one stream (a
 * stream is not held open through the hour); the answers added up.
 */
async function stream(
  client: GrpcServiceClient,
  events: CarrierEvent[],
  clock: SceneClock,
): Promise<Pick<carrier.IngestEventsResponse, 'rejected' | 'rejections'>> {
  const total: Pick<carrier.IngestEventsResponse, 'rejected' | 'rejections'> = { rejected: 0, rejections: [] };
  for (let i = 0; i < events.length;) {
    const wait = events[i].at - clock.now();
    if (wait > 0) await clock.sleep(wait);
    const now = clock.now();
    const due: carrier.Event[] = [];
    for (; i < events.length && events[i].at <= now && due.length < 1000; i++) due.push(toWireEvent(events[i])!);
    const call = clientStreaming<carrier.IngestEventsRequest, carrier.IngestEventsResponse>(client, 'ingestEvents');
    await call.write({ events: due });
    call.end();
    const answer = await call.response;
    total.rejected += Number(answer.rejected) + Number(answer.late);
    total.rejections.push(...answer.rejections);
  }
  return total;
}
