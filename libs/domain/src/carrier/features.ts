import {
  ActivityStore,
  C_ANSWERED,
  C_CALLS,
  C_NEW_CONTACT,
  C_ONE_RING,
  C_SMS,
  COUNTERS,
  OUT_ANSWERED,
  OUT_CALLED_BACK,
  OUT_HIGH_RISK,
  OUT_HIGH_RISK_DWELL,
  OUT_SMS,
  Window,
} from './activity-store';
import type { UsageProfile } from './events';
import type { PolicyThresholds } from './policy';

export type RegistryMark = 'SUSPECTED' | 'CONFIRMED' | 'CLEARED';

/** A cell behind a decision, for the explanation (cell id and time). */
export interface CellEvidence {
  cell: number;
  atSec: number;
  activity: 'call' | 'sms' | 'location';
}

/** What is known of one number at one instant, measured against one policy's windows. */
export interface Features {
  nowSec: number;
  calls10m: number;
  sms10m: number;
  calls90m: number;
  newContacts90m: number;
  newContacts24h: number;
  calls24h: number;
  sms24h: number;
  answered24h: number;
  oneRing24h: number;
  /** Answered calls remembered in the last 24 h, and how many of them were short. */
  answeredRecent: number;
  shortAnswered: number;
  /** Remembered calls in the last 24 h whose callee called back. */
  callbacks: number;
  callsRecent: number;
  sequentialRun: number;
  highRiskActivity: number;
  highRiskSightings: number;
  corroboratedReporters: number;
  uncorroboratedReports: number;
  uncorroborated24h: number;
  /** Days since activation, or -1 when unknown. */
  ageDays: number;
  newSegment: boolean;
  profile: UsageProfile;
  registry: RegistryMark | undefined;
  cells: CellEvidence[];
}

export interface Subscriber {
  activatedAt: number;
  realNameVerified: boolean;
  profile: UsageProfile;
}

const DAY = 86_400;
const REPORT_MEMORY_DAYS = 30;
/** Window sums of one measure() call (measure is synchronous, so one set is enough). */
const MIN10 = new Float64Array(COUNTERS);
const MIN90 = new Float64Array(COUNTERS);
const HOURS24 = new Float64Array(COUNTERS);

/** Measures a number's remembered activity at `nowSec` (whole seconds, see activity-store). */
export function measure(
  store: ActivityStore,
  slot: number,
  nowSec: number,
  t: PolicyThresholds,
  context: { msisdnKey: number; subscriber: Subscriber | undefined; registry: RegistryMark | undefined; nowMs: number },
): Features {
  let answeredRecent = 0;
  let shortAnswered = 0;
  let callbacks = 0;
  let callsRecent = 0;
  let highRiskActivity = 0;
  let sequentialRun = 0;
  let runOpen = true;
  let previousPeer = Number.NaN;
  const cells: CellEvidence[] = [];

  if (slot >= 0) {
    for (let k = 0; k < store.outCount[slot]; k++) {
      const i = store.outboundIndex(slot, k);
      const age = nowSec - store.outAt[i];
      if (age >= DAY) break;
      const flags = store.outFlags[i];
      const isSms = (flags & OUT_SMS) !== 0;
      if (!isSms) {
        callsRecent++;
        if (flags & OUT_ANSWERED) {
          answeredRecent++;
          if (store.outDuration[i] < t.shortCalls.maxSec) shortAnswered++;
        }
        if (flags & OUT_CALLED_BACK) callbacks++;
        // Newest first: the run of callees each within maxStep of the next.
        const peer = store.outPeer[i];
        if (runOpen) {
          if (Number.isNaN(previousPeer) || Math.abs(previousPeer - peer) <= t.sequentialRun.maxStep) sequentialRun++;
          else runOpen = false;
          previousPeer = peer;
        }
      }
      if (flags & OUT_HIGH_RISK_DWELL) highRiskActivity++;
      if (flags & OUT_HIGH_RISK && cells.length < 8)
        cells.push({ cell: store.outCell[i], atSec: store.outAt[i], activity: isSms ? 'sms' : 'call' });
    }
  }
  if (sequentialRun < 2) sequentialRun = 0;

  let highRiskSightings = 0;
  let corroboratedReporters = 0;
  let uncorroboratedReports = 0;
  let uncorroborated24h = 0;
  if (slot >= 0) {
    const size = store.layout.sightings;
    for (let j = 0; j < store.sightingCount[slot]; j++) {
      const i = slot * size + j;
      if (nowSec - store.sightingAt[i] < DAY) {
        highRiskSightings++;
        if (cells.length < 8)
          cells.push({ cell: store.sightingCell[i], atSec: store.sightingAt[i], activity: 'location' });
      }
    }
    const rsize = store.layout.reports;
    for (let j = 0; j < store.reportCount[slot]; j++) {
      const i = slot * rsize + j;
      const age = nowSec - store.reportAt[i];
      if (store.reportCorroborated[i]) {
        if (age < t.corroboratedReports.days * DAY) corroboratedReporters++;
      } else if (age < REPORT_MEMORY_DAYS * DAY) {
        uncorroboratedReports++;
        if (age < DAY) uncorroborated24h++;
      }
    }
  }

  const subscriber = context.subscriber;
  const digits = String(context.msisdnKey);
  const national = digits.startsWith('86') ? digits.slice(2) : '';
  store.sums(slot, nowSec, Window.Min10, MIN10);
  store.sums(slot, nowSec, Window.Min90, MIN90);
  store.sums(slot, nowSec, Window.Hours24, HOURS24);
  return {
    nowSec,
    calls10m: MIN10[C_CALLS],
    sms10m: MIN10[C_SMS],
    calls90m: MIN90[C_CALLS],
    newContacts90m: MIN90[C_NEW_CONTACT],
    newContacts24h: HOURS24[C_NEW_CONTACT],
    calls24h: HOURS24[C_CALLS],
    sms24h: HOURS24[C_SMS],
    answered24h: HOURS24[C_ANSWERED],
    oneRing24h: HOURS24[C_ONE_RING],
    answeredRecent,
    shortAnswered,
    callbacks,
    callsRecent,
    sequentialRun,
    highRiskActivity,
    highRiskSightings,
    corroboratedReporters,
    uncorroboratedReports,
    uncorroborated24h,
    ageDays: subscriber ? Math.max(0, (context.nowMs - subscriber.activatedAt) / 86_400_000) : -1,
    newSegment: national !== '' && t.newSegments.includes(national.slice(0, 3)),
    profile: subscriber?.profile ?? ('none' as UsageProfile),
    registry: context.registry,
    cells: cells.sort((a, b) => a.atSec - b.atSec),
  };
}
