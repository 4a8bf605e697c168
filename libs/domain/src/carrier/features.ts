import { ActivityStore, OUT_ANSWERED, OUT_CALLED_BACK, OUT_HIGH_RISK, OUT_SMS, toSec } from './activity-store';
import { DAY_SEC, fastObject } from './signals/signal';
import {
  COUNTER_OF,
  COUNTERS,
  MEASURED_SIGNALS,
  MEASURES,
  type CellEvidence,
  type Features,
  type Memory,
  type RegistryMark,
  type ResolvedPolicyThresholds,
  type Subscriber,
} from './signals';
import { UsageProfile } from './events';

export type { CellEvidence, Features, RegistryMark, Subscriber };

const EVERY_SIGNAL = Int32Array.from(MEASURED_SIGNALS.keys());

/** The most cells an explanation names. */
const MAX_CELLS = 8;
const byTime = (a: CellEvidence, b: CellEvidence) => a.atSec - b.atSec;

/** A number's features with nothing measured yet: the base ones, then each signal's in the order of the list. */
export function emptyFeatures(): Features {
  const entries: [string, unknown][] = [
    ['nowSec', 0],
    ['callsRecent', 0],
    ['answeredRecent', 0],
    ['callbacks', 0],
    ['profile', UsageProfile.None],
    ['registry', undefined],
    ['cells', []],
  ];
  for (let s = 0; s < MEASURED_SIGNALS.length; s++) entries.push(...Object.entries(MEASURED_SIGNALS[s].features));
  return fastObject<Features>(entries);
}

/**
 * Measures numbers for one store: the shared part of the memory (window sums,
 * the last day's calls and texts, cells for explanations), then each signal's
 * own measure. One per engine; `measure` fills the features it is given.
 */
export class Measurer {
  private readonly memory: Memory;

  constructor(store: ActivityStore) {
    this.memory = {
      store,
      slot: -1,
      extra: -1,
      nowSec: 0,
      nowMs: 0,
      msisdnKey: 0,
      subscriber: undefined,
      registry: undefined,
      min10: new Float64Array(COUNTERS),
      min90: new Float64Array(COUNTERS),
      hours24: new Float64Array(COUNTERS),
      recent: new Int32Array(256),
      recentCount: 0,
      ownCounter: -1,
    };
  }

  /**
   * Measures a number's remembered activity at `nowMs` (whole seconds inside,
   * see activity-store): the base features, then those of `signals` (indexes in
   * MEASURED_SIGNALS; every signal unless told).
   */
  measure(
    slot: number,
    nowMs: number,
    t: ResolvedPolicyThresholds,
    msisdnKey: number,
    subscriber: Subscriber | undefined,
    registry: RegistryMark | undefined,
    f: Features,
    signals: Int32Array = EVERY_SIGNAL,
  ): Features {
    const m = this.memory;
    const store = m.store;
    const nowSec = toSec(nowMs);
    m.slot = slot;
    m.extra = slot < 0 ? -1 : store.extra[slot];
    m.nowSec = nowSec;
    m.nowMs = nowMs;
    m.msisdnKey = msisdnKey;
    m.subscriber = subscriber;
    m.registry = registry;

    let callsRecent = 0;
    let answeredRecent = 0;
    let callbacks = 0;
    let recent = 0;
    const cells = f.cells;
    cells.length = 0;
    if (slot >= 0) {
      // Newest first, up to the first call or text older than a day.
      for (let k = 0; k < store.outCount[slot]; k++) {
        const i = store.outboundIndex(slot, k);
        if (nowSec - store.outAt[i] >= DAY_SEC) break;
        m.recent[recent++] = i;
        const flags = store.outFlags[i];
        const isSms = (flags & OUT_SMS) !== 0;
        if (!isSms) {
          callsRecent++;
          if (flags & OUT_ANSWERED) answeredRecent++;
          if (flags & OUT_CALLED_BACK) callbacks++;
        }
        if (flags & OUT_HIGH_RISK && cells.length < MAX_CELLS)
          cells.push({ cell: store.cellOf(slot, i), atSec: store.outAt[i], activity: isSms ? 'sms' : 'call' });
      }
      const x = store.extra[slot];
      const sightings = x < 0 ? -1 : store.sightingBase[x];
      for (let j = 0; x >= 0 && j < store.sightingCount[x]; j++) {
        const i = sightings + j;
        if (nowSec - store.sightingAt[i] < DAY_SEC && cells.length < MAX_CELLS)
          cells.push({ cell: store.sightingCell[i], atSec: store.sightingAt[i], activity: 'location' });
      }
    }
    m.recentCount = recent;
    store.windowSums(slot, nowSec, m.min10, m.min90, m.hours24);

    f.nowSec = nowSec;
    f.callsRecent = callsRecent;
    f.answeredRecent = answeredRecent;
    f.callbacks = callbacks;
    f.profile = subscriber?.profile ?? UsageProfile.None;
    f.registry = registry;
    for (let j = 0; j < signals.length; j++) {
      const s = signals[j];
      m.ownCounter = COUNTER_OF[s];
      MEASURES[s](m, t, f);
    }
    if (cells.length > 1) cells.sort(byTime);
    return f;
  }
}
