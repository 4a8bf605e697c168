/**
 * Compact, per-number activity state for the analysis engine: struct-of-arrays
 * in typed arrays indexed by slot, so a million active numbers cost no objects
 * and no garbage collection. A slot is allocated on a number's first activity
 * and freed when it has been idle for the configured time (evict()).
 *
 * Times inside are whole seconds since EPOCH_MS (u32: good until 2136).
 */
import { NumberMap } from '../number-map';

export const EPOCH_MS = Date.UTC(2000, 0, 1);

export function toSec(ms: number): number {
  return Math.floor((ms - EPOCH_MS) / 1000);
}

export function fromSec(sec: number): number {
  return EPOCH_MS + sec * 1000;
}

/** Flags of one outbound entry. */
export const OUT_SMS = 1;
export const OUT_ANSWERED = 2;
export const OUT_NEW_CONTACT = 4;
export const OUT_HIGH_RISK = 8;
export const OUT_CALLED_BACK = 16;
/** Made while staying (past the policy's dwell) at a high-risk cell. */
export const OUT_HIGH_RISK_DWELL = 32;

/**
 * Counters every number keeps in time buckets, for exact window counts past the
 * outbound memory; the signals' own counters follow them (signals/index.ts).
 */
export const C_CALLS = 0;
export const C_SMS = 1;
export const C_ANSWERED = 2;
export const C_NEW_CONTACT = 3;
export const BASE_COUNTERS = 4;

/** Bucket rings: 10 one-minute, 18 five-minute and 24 one-hour buckets. */
export enum Window {
  Min10 = 0,
  Min90 = 1,
  Hours24 = 2,
}
const RINGS = [
  { buckets: 10, widthSec: 60, offset: 0 },
  { buckets: 18, widthSec: 300, offset: 10 },
  { buckets: 24, widthSec: 3600, offset: 28 },
] as const;
const BUCKETS = 52;

export interface ActivityLayout {
  /** Outbound calls and texts remembered per number (window counts saturate at this). */
  outbound: number;
  /** Distinct numbers that called or texted it, remembered per number (report corroboration, callbacks). */
  inbound: number;
  /** Reports against it remembered per number. */
  reports: number;
  /** High-risk cell sightings remembered per number (for explanations). */
  sightings: number;
}

export const DEFAULT_LAYOUT: ActivityLayout = { outbound: 32, inbound: 16, reports: 16, sightings: 4 };

/** Bytes of activity state per active number with this layout and `counters` window counters. */
export function bytesPerActiveNumber(layout: ActivityLayout, counters: number): number {
  const outbound = layout.outbound * (4 + 8 + 2 + 1 + 4) + 2;
  const inbound = layout.inbound * (8 + 4) + 1;
  const reports = layout.reports * (8 + 4 + 1) + 1;
  const sightings = layout.sightings * (4 + 4) + 2;
  const buckets = BUCKETS * (counters * 2 + 4);
  const scalars =
    8 /* key */ +
    4 /* last activity */ +
    4 * 3 /* dwell cell, since, last */ +
    1 /* level */ +
    8; /* map entry, amortised */
  return outbound + inbound + reports + sightings + buckets + scalars;
}

/** A number's slot as forget() and new activity change it (the rings' entries are never cleared, only counted). */
export interface ActivitySnapshot {
  slot: number;
  counts: number[];
  buckets: Uint32Array;
}

/** Whether two snapshots describe the same activity. */
export function sameActivity(a: ActivitySnapshot | undefined, b: ActivitySnapshot | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.slot === b.slot &&
    a.counts.every((value, i) => value === b.counts[i]) &&
    a.buckets.every((value, i) => value === b.buckets[i])
  );
}

export class ActivityStore {
  readonly layout: ActivityLayout;
  /** Window counters per bucket. */
  readonly counters: number;
  private capacity: number;
  private readonly slots = new NumberMap<number>();
  private free: number[] = [];
  private next = 0;

  // Per slot.
  key!: Float64Array;
  lastActivity!: Uint32Array;
  outHead!: Uint8Array;
  outCount!: Uint8Array;
  inCount!: Uint8Array;
  reportCount!: Uint8Array;
  sightingCount!: Uint8Array;
  sightingHead!: Uint8Array;
  dwellCell!: Int32Array;
  dwellSince!: Uint32Array;
  dwellLast!: Uint32Array;

  // Per slot × layout.outbound.
  outAt!: Uint32Array;
  outPeer!: Float64Array;
  outDuration!: Uint16Array;
  outFlags!: Uint8Array;
  outCell!: Int32Array;

  // Per slot × layout.inbound (most recent first is not kept: scan all).
  inPeer!: Float64Array;
  inAt!: Uint32Array;

  // Per slot × layout.reports.
  reportBy!: Float64Array;
  reportAt!: Uint32Array;
  reportCorroborated!: Uint8Array;

  // Per slot × layout.sightings.
  sightingCell!: Int32Array;
  sightingAt!: Uint32Array;

  // Per slot × 52 buckets (× counters).
  bucketStamp!: Uint32Array;
  bucketCounts!: Uint16Array;

  constructor(layout: ActivityLayout = DEFAULT_LAYOUT, counters = BASE_COUNTERS, initialCapacity = 1024) {
    if (layout.outbound > 255 || layout.inbound > 255 || layout.reports > 255 || layout.sightings > 255)
      throw new Error('activity layout sizes must be at most 255');
    if (!(Number.isInteger(counters) && counters >= BASE_COUNTERS))
      throw new Error(`an activity store keeps at least ${BASE_COUNTERS} counters`);
    this.layout = layout;
    this.counters = counters;
    this.capacity = 0;
    this.grow(Math.max(16, initialCapacity));
  }

  get active(): number {
    return this.slots.size;
  }

  slotOf(key: number): number {
    return this.slots.get(key) ?? -1;
  }

  /** The number's slot, allocated (empty) on first use. */
  ensure(key: number, nowSec: number): number {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.next++;
      if (slot >= this.capacity) this.grow(this.capacity * 2);
      this.reset(slot);
      this.key[slot] = key;
      this.slots.set(key, slot);
    }
    this.lastActivity[slot] = nowSec;
    return slot;
  }

  /** Frees the slots of numbers idle since before `idleSinceSec`; returns how many. */
  evict(idleSinceSec: number, keep?: (key: number) => boolean): number {
    return this.slots.deleteWhere((key, slot) => {
      if (this.lastActivity[slot] >= idleSinceSec || keep?.(key)) return false;
      this.free.push(slot);
      return true;
    });
  }

  /**
   * Forgets the evidence about a number (after a restore: the same evidence must
   * not count again). Who called it is kept: that is evidence about others.
   */
  forget(key: number): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    const inbound = this.inCount[slot];
    this.reset(slot);
    this.inCount[slot] = inbound;
  }

  /** What forget() and new activity change about a number, to be put back by restore(). */
  snapshot(key: number): ActivitySnapshot | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    return {
      slot,
      counts: this.perSlotCounts().map((counts) => counts[slot]),
      buckets: this.bucketStamp.slice(slot * BUCKETS, slot * BUCKETS + BUCKETS),
    };
  }

  /** Puts back a snapshot taken of the same slot, when nothing was written into it since (see sameActivity). */
  restore(snapshot: ActivitySnapshot): void {
    const { slot, counts, buckets } = snapshot;
    this.perSlotCounts().forEach((array, i) => (array[slot] = counts[i]));
    this.bucketStamp.set(buckets, slot * BUCKETS);
  }

  /** The arrays of one number per slot that a snapshot keeps, in the order of its counts (read anew: they grow). */
  private perSlotCounts(): (Uint32Array | Uint16Array | Uint8Array | Int32Array)[] {
    return [
      this.lastActivity,
      this.outHead,
      this.outCount,
      this.inCount,
      this.reportCount,
      this.sightingCount,
      this.sightingHead,
      this.dwellCell,
    ];
  }

  // --- outbound ring -------------------------------------------------------

  pushOutbound(slot: number, atSec: number, peer: number, durationSec: number, flags: number, cell: number): number {
    const size = this.layout.outbound;
    const head = this.outHead[slot];
    const i = slot * size + head;
    this.outAt[i] = atSec;
    this.outPeer[i] = peer;
    this.outDuration[i] = Math.min(durationSec, 65_535);
    this.outFlags[i] = flags;
    this.outCell[i] = cell;
    this.outHead[slot] = (head + 1) % size;
    if (this.outCount[slot] < size) this.outCount[slot]++;
    return i;
  }

  /** Index of the k-th most recent outbound entry (k = 0 is the newest). */
  outboundIndex(slot: number, k: number): number {
    const size = this.layout.outbound;
    return slot * size + ((this.outHead[slot] - 1 - k + size * 2) % size);
  }

  /** The most recent outbound entry to `peer` at or after `sinceSec`, or -1. */
  findOutbound(slot: number, peer: number, sinceSec: number): number {
    for (let k = 0; k < this.outCount[slot]; k++) {
      const i = this.outboundIndex(slot, k);
      if (this.outAt[i] < sinceSec) return -1;
      if (this.outPeer[i] === peer) return i;
    }
    return -1;
  }

  // --- inbound contacts ----------------------------------------------------

  /** Remembers that `peer` called or texted this number; the oldest contact makes room. */
  noteInbound(slot: number, peer: number, atSec: number): void {
    const size = this.layout.inbound;
    const base = slot * size;
    const count = this.inCount[slot];
    let oldest = 0;
    for (let j = 0; j < count; j++) {
      if (this.inPeer[base + j] === peer) {
        this.inAt[base + j] = atSec;
        return;
      }
      if (this.inAt[base + j] < this.inAt[base + oldest]) oldest = j;
    }
    const j = count < size ? this.inCount[slot]++ : oldest;
    this.inPeer[base + j] = peer;
    this.inAt[base + j] = atSec;
  }

  /** True when `peer` called or texted this number at or after `sinceSec`. */
  heardFrom(slot: number, peer: number, sinceSec: number): boolean {
    const base = slot * this.layout.inbound;
    for (let j = 0; j < this.inCount[slot]; j++) {
      if (this.inPeer[base + j] === peer) return this.inAt[base + j] >= sinceSec;
    }
    return false;
  }

  // --- reports -------------------------------------------------------------

  /** Records a report; a reporter counts once (its latest report). Returns false for a repeat within `sinceSec`. */
  noteReport(slot: number, reporter: number, atSec: number, corroborated: boolean): boolean {
    const size = this.layout.reports;
    const base = slot * size;
    let oldest = 0;
    const count = this.reportCount[slot];
    for (let j = 0; j < count; j++) {
      if (this.reportBy[base + j] === reporter) {
        this.reportAt[base + j] = atSec;
        this.reportCorroborated[base + j] = this.reportCorroborated[base + j] | (corroborated ? 1 : 0);
        return false;
      }
      if (this.reportAt[base + j] < this.reportAt[base + oldest]) oldest = j;
    }
    const j = count < size ? this.reportCount[slot]++ : oldest;
    this.reportBy[base + j] = reporter;
    this.reportAt[base + j] = atSec;
    this.reportCorroborated[base + j] = corroborated ? 1 : 0;
    return true;
  }

  // --- high-risk cells -----------------------------------------------------

  /** Remembers a sighting at a high-risk cell; a continued stay at the same cell keeps its first time. */
  noteSighting(slot: number, cell: number, atSec: number): void {
    const size = this.layout.sightings;
    const base = slot * size;
    const head = this.sightingHead[slot];
    const count = this.sightingCount[slot];
    if (count > 0 && this.sightingCell[base + ((head - 1 + size) % size)] === cell) return;
    this.sightingCell[base + head] = cell;
    this.sightingAt[base + head] = atSec;
    this.sightingHead[slot] = (head + 1) % size;
    if (count < size) this.sightingCount[slot] = count + 1;
  }

  /** Tracks continuous stay at high-risk cells: a sighting outside them ends the stay. */
  noteDwell(slot: number, highRiskCell: number, atSec: number, maxGapSec: number): void {
    if (highRiskCell < 0) {
      this.dwellCell[slot] = -1;
      return;
    }
    if (this.dwellCell[slot] === highRiskCell && atSec - this.dwellLast[slot] <= maxGapSec) {
      this.dwellLast[slot] = atSec;
      return;
    }
    this.dwellCell[slot] = highRiskCell;
    this.dwellSince[slot] = atSec;
    this.dwellLast[slot] = atSec;
  }

  // --- window counters ---------------------------------------------------

  /** Counts one occurrence of `counter` at `atSec` in every window. */
  count(slot: number, atSec: number, counter: number): void {
    const counters = this.counters;
    for (let r = 0; r < RINGS.length; r++) {
      const ring = RINGS[r];
      const stamp = Math.floor(atSec / ring.widthSec) + 1;
      const b = slot * BUCKETS + ring.offset + (stamp % ring.buckets);
      if (this.bucketStamp[b] !== stamp) {
        if (this.bucketStamp[b] > stamp) continue; // older than the ring remembers
        this.bucketStamp[b] = stamp;
        this.bucketCounts.fill(0, b * counters, b * counters + counters);
      }
      const c = b * counters + counter;
      if (this.bucketCounts[c] < 65_535) this.bucketCounts[c]++;
    }
  }

  /** A counter summed over the window ending at `atSec` (bucket-aligned: the current bucket and the ones before it). */
  sum(slot: number, atSec: number, window: Window, counter: number): number {
    const ring = RINGS[window];
    const stamp = Math.floor(atSec / ring.widthSec) + 1;
    let total = 0;
    for (let j = 0; j < ring.buckets; j++) {
      const b = slot * BUCKETS + ring.offset + j;
      const age = stamp - this.bucketStamp[b];
      if (age >= 0 && age < ring.buckets) total += this.bucketCounts[b * this.counters + counter];
    }
    return total;
  }

  /** Every counter summed over the window ending at `atSec`, into `out[counter]` (what sum() gives, in one pass). */
  sums(slot: number, atSec: number, window: Window, out: Float64Array): void {
    out.fill(0);
    if (slot < 0) return;
    const counters = this.counters;
    const ring = RINGS[window];
    const stamp = Math.floor(atSec / ring.widthSec) + 1;
    for (let j = 0; j < ring.buckets; j++) {
      const b = slot * BUCKETS + ring.offset + j;
      const age = stamp - this.bucketStamp[b];
      if (age >= 0 && age < ring.buckets) {
        const c = b * counters;
        for (let k = 0; k < counters; k++) out[k] += this.bucketCounts[c + k];
      }
    }
  }

  // --- storage -------------------------------------------------------------

  private reset(slot: number): void {
    this.outHead[slot] = 0;
    this.outCount[slot] = 0;
    this.inCount[slot] = 0;
    this.reportCount[slot] = 0;
    this.sightingCount[slot] = 0;
    this.sightingHead[slot] = 0;
    this.dwellCell[slot] = -1;
    this.bucketStamp.fill(0, slot * BUCKETS, slot * BUCKETS + BUCKETS);
  }

  private grow(capacity: number): void {
    const { outbound, inbound, reports, sightings } = this.layout;
    const resize = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array>(
      old: T | undefined,
      make: (n: number) => T,
      per: number,
    ): T => {
      const next = make(capacity * per);
      if (old) next.set(old);
      return next;
    };
    this.key = resize(this.key, (n) => new Float64Array(n), 1);
    this.lastActivity = resize(this.lastActivity, (n) => new Uint32Array(n), 1);
    this.outHead = resize(this.outHead, (n) => new Uint8Array(n), 1);
    this.outCount = resize(this.outCount, (n) => new Uint8Array(n), 1);
    this.inCount = resize(this.inCount, (n) => new Uint8Array(n), 1);
    this.reportCount = resize(this.reportCount, (n) => new Uint8Array(n), 1);
    this.sightingCount = resize(this.sightingCount, (n) => new Uint8Array(n), 1);
    this.sightingHead = resize(this.sightingHead, (n) => new Uint8Array(n), 1);
    this.dwellCell = resize(this.dwellCell, (n) => new Int32Array(n), 1);
    this.dwellSince = resize(this.dwellSince, (n) => new Uint32Array(n), 1);
    this.dwellLast = resize(this.dwellLast, (n) => new Uint32Array(n), 1);
    this.outAt = resize(this.outAt, (n) => new Uint32Array(n), outbound);
    this.outPeer = resize(this.outPeer, (n) => new Float64Array(n), outbound);
    this.outDuration = resize(this.outDuration, (n) => new Uint16Array(n), outbound);
    this.outFlags = resize(this.outFlags, (n) => new Uint8Array(n), outbound);
    this.outCell = resize(this.outCell, (n) => new Int32Array(n), outbound);
    this.inPeer = resize(this.inPeer, (n) => new Float64Array(n), inbound);
    this.inAt = resize(this.inAt, (n) => new Uint32Array(n), inbound);
    this.reportBy = resize(this.reportBy, (n) => new Float64Array(n), reports);
    this.reportAt = resize(this.reportAt, (n) => new Uint32Array(n), reports);
    this.reportCorroborated = resize(this.reportCorroborated, (n) => new Uint8Array(n), reports);
    this.sightingCell = resize(this.sightingCell, (n) => new Int32Array(n), sightings);
    this.sightingAt = resize(this.sightingAt, (n) => new Uint32Array(n), sightings);
    this.bucketStamp = resize(this.bucketStamp, (n) => new Uint32Array(n), BUCKETS);
    this.bucketCounts = resize(this.bucketCounts, (n) => new Uint16Array(n), BUCKETS * this.counters);
    this.capacity = capacity;
  }
}
