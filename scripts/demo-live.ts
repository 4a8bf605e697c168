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
 * from the moment it is listed). The scene plays after the history, on the
 * wall clock: the administration lists a base station as a fraud den (a police
 * tip-off), a crew there starts dialling strangers, two of the people it reached
 * report it, and the carrier suspends the number, citing the cell, which
 * `fraudctl explain` then shows.
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
const DAY = 86_400_000;
const VICTIMS = 40;
/** The first answered calls' callees report it, this long after the last call. */
const REPORT_DELAY_MS = [3 * SECOND, 6 * SECOND];

/**
 * The scene starting at `now`, about 50 seconds long. Its numbers (CMCC
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
  events.push({ type: 'location', at: now, msisdn: subject, cell });
  const answered: Msisdn[] = [];
  victims.forEach((victim, i) => {
    // Two in five answer: a script read to strangers, mostly cut short.
    const pickedUp = i % 5 === 1 || i % 5 === 3;
    if (pickedUp) answered.push(victim);
    events.push({
      type: 'call',
      at: now + (1 + i) * SECOND,
      caller: subject,
      callee: victim,
      answered: pickedUp,
      durationSec: pickedUp ? 40 + ((i * 37) % 200) : 20,
      cell,
    });
  });
  const lastCall = now + VICTIMS * SECOND;
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
  /** false: every event at once (their times still those of the scene), for tests. */
  paced = true,
): Promise<Msisdn | undefined> {
  const adminAddress = services.find((s) => s.plan.name === 'admin')?.address;
  const carrierAddress = services.find((s) => s.plan.name === 'carrier-cmcc')?.address;
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
    const scene = liveScene(Date.now());
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
    // Played from now, once the list is in force at the carrier.
    const offset = Date.now() - scene.events[0].at;
    const live = { ...scene, events: scene.events.map((event) => ({ ...event, at: event.at + offset })) };
    say(
      `live: CMCC applied it; a crew at ${scene.cell} starts dialling strangers from ${live.subject.slice(3)}, ` +
        'and two of them will report it',
    );
    const sent = await stream(carrierClient, live.events, paced);
    if (sent.rejected > 0)
      throw new Error(`live scene: CMCC rejected ${sent.rejected} events: ${JSON.stringify(sent.rejections)}`);
    const suspension = await until(`suspension of ${live.subject} at CMCC`, async () => {
      const listed = await unary<carrier.ListDecisionsResponse>(carrierClient, 'listDecisions', {
        msisdn: live.subject,
        page: { pageSize: 20 },
      });
      return listed.decisions.find((d) => action.tryFromWire(d.action) === Action.Suspend);
    });
    say(
      `live: CMCC suspended ${live.subject.slice(3)} (${suspension.reasons.map((r) => r.code).join(', ')}); ` +
        `why, with the cell: npx fraudctl explain ${live.subject.slice(3)}`,
    );
    return live.subject;
  } finally {
    adminClient.close();
    carrierClient.close();
  }
}

/** One event per message, each sent when its time comes (`paced`), else at once. */
async function stream(
  client: GrpcServiceClient,
  events: CarrierEvent[],
  paced: boolean,
): Promise<carrier.IngestEventsResponse> {
  const call = clientStreaming<carrier.IngestEventsRequest, carrier.IngestEventsResponse>(client, 'ingestEvents');
  for (const event of events) {
    const wait = event.at - Date.now();
    if (paced && wait > 0) await sleep(wait);
    await call.write({ events: [toWireEvent(event)!] });
  }
  call.end();
  return call.response;
}
