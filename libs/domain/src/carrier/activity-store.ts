/**
 * Compact, per-number activity state for the analysis engine: struct-of-arrays
 * in typed arrays indexed by slot, so a million active numbers cost no objects
 * and no garbage collection. A slot is allocated on a number's first activity
 * and freed when it has been idle for the configured time (evict()).
 *
 * A slot holds only a small fixed part; its rings (calls and texts made, who
 * reached it, reports, high-risk sightings) are blocks carved from shared pools
 * in size classes, allocated on first use and doubled as they fill, and its
 * window buckets exist only once its calls and texts outgrow what its own ring
 * can count exactly (see sums()). A light number costs little; a busy one grows
 * to the full layout.
 *
 * Times inside are whole seconds since EPOCH_MS (u32: good until 2136).
 */
import { grown, growable, type GrowableArray, type GrowableArrayType } from '../grow';
import { RowIndex } from '../row-index';
import type { ImageArray, ImageReader, ImageWriter } from './image';

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
/** The first flag of the signals' own counters (RECORDED_IN_FLAGS of them), when the ring counts the windows. */
const OUT_RECORDED_SHIFT = 6;
const RECORDED_IN_FLAGS = 2;

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

const HOURS = RINGS[Window.Hours24];
/** How many of a snapshot's counts say where the slot's blocks are (perSlotCounts), and its extra's (extraCounts). */
const BLOCKS = 5;
const EXTRA_BLOCKS = 5;

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

/** The smallest block of a ring: the classes double from here up to the layout's size. */
const SMALLEST_BLOCK = 2;

/** Block sizes of a ring that holds at most `max` entries: 2, 4, 8, ... then `max`. */
function sizeClasses(max: number): number[] {
  const classes: number[] = [];
  for (let size = Math.min(SMALLEST_BLOCK, max); size < max; size *= 2) classes.push(size);
  classes.push(max);
  return classes;
}

/**
 * A peer (a number, up to 15 digits: 50 bits) is kept as its low 32 bits and the index of its high part in the
 * store's list of the high parts it has seen (PeerRanges): in 8 bits while the store has seen at most 256 of them (a
 * country's plan spans a few), in 16 once it sees more. Exact, in 5 bytes (6 past 256 ranges) instead of 8.
 */
const PEER_BYTES = 4 + 1;
/** The most high parts an index of 8 bits tells apart. */
const NARROW_RANGES = 256;
const TWO_32 = 4_294_967_296;

/**
 * The high parts (a number over 2^32) of the peers a store has seen, by index, in the order first seen. One high part
 * spans 4,294,967,296 numbers (a country's whole plan spans a few): a store can tell 65,536 of them apart.
 */
class PeerRanges {
  private highs: number[] = [];
  private readonly indexOf = new Map<number, number>();
  /** The last high part asked for, and its index (peers come in runs of the same few). */
  private lastHigh = -1;
  private lastIndex = -1;

  /** The index of the high part of `key`, taken on first sight. */
  intern(key: number): number {
    const high = Math.floor(key / TWO_32);
    if (high === this.lastHigh) return this.lastIndex;
    let index = this.indexOf.get(high);
    if (index === undefined) {
      index = this.highs.length;
      if (index > 0xffff) throw new RangeError('activity: peers from more than 65,536 ranges of 2^32 numbers');
      this.highs.push(high);
      this.indexOf.set(high, index);
    }
    this.lastHigh = high;
    this.lastIndex = index;
    return index;
  }

  /** How many high parts it has seen. */
  get size(): number {
    return this.highs.length;
  }

  /** The index of the high part of `key`, -1 when no peer had it (no entry can be that number). */
  find(key: number): number {
    const high = Math.floor(key / TWO_32);
    if (high === this.lastHigh) return this.lastIndex;
    return this.indexOf.get(high) ?? -1;
  }

  /** The number whose low 32 bits are `low` and whose high part has index `index`. */
  key(index: number, low: number): number {
    return this.highs[index] * TWO_32 + low;
  }

  writeImage(w: ImageWriter): void {
    w.array(Float64Array.from(this.highs));
  }

  readImage(r: ImageReader): void {
    if (this.highs.length !== 0) throw new Error('image: peer ranges load only while empty');
    for (const high of r.array((n) => new Float64Array(n))) {
      this.indexOf.set(high, this.highs.length);
      this.highs.push(high);
    }
  }
}

/** The low 32 bits of a number (a positive safe integer): ToUint32 is exactly that, without a floating modulo. */
function low32(key: number): number {
  return key >>> 0;
}

/** Bytes of one entry of each ring, and of the fixed part of a slot (see the arrays of ActivityStore). */
const OUTBOUND_ENTRY = 4 + PEER_BYTES + 2 + 1;
/** The cell of each entry, kept once a number made a call or text at a high-risk cell (explanations name it). */
const CELL_ENTRY = 4;
const INBOUND_ENTRY = PEER_BYTES + 4;
const REPORT_ENTRY = 8 + 4 + 1;
const SIGHTING_ENTRY = 4 + 4;
/**
 * key 8, last activity 4, ring descriptors (base, size, head, count) of the outbound and inbound rings 4 + 3 + 4 + 2,
 * its extra 4, the slot index (an Int32Array at most half full) 8 on average.
 */
export const SLOT_BYTES = 8 + 4 + 7 + 6 + 4 + 8;
/**
 * A slot's extra, the descriptors of what few numbers need (cells, reports, sightings, buckets): reports 4 + 2,
 * sightings 4 + 2, cells' base 4, buckets' base 4.
 */
const EXTRA_BYTES = 6 + 6 + 4 + 4;
/** The current stay at a high-risk cell (cell, since, last seen), kept with the sightings. */
const DWELL_BYTES = 12;

/** How much of a number's memory is in use: entries in each ring, and whether it keeps window buckets. */
export interface ActivityUse {
  outbound: number;
  inbound: number;
  reports: number;
  sightings: boolean;
  /** It called or texted from a high-risk cell: its outbound entries keep their cell. */
  cells: boolean;
  buckets: boolean;
}

/** Bytes of activity state of one number using `use` of this layout, with `counters` window counters. */
export function bytesOfNumber(layout: ActivityLayout, counters: number, use: ActivityUse): number {
  const block = (max: number, n: number) => (n === 0 ? 0 : (sizeClasses(max).find((size) => size >= n) ?? max));
  return (
    SLOT_BYTES +
    (use.reports > 0 || use.sightings || use.cells || use.buckets ? EXTRA_BYTES : 0) +
    block(layout.outbound, use.outbound) * (OUTBOUND_ENTRY + (use.cells ? CELL_ENTRY : 0)) +
    block(layout.inbound, use.inbound) * INBOUND_ENTRY +
    block(layout.reports, use.reports) * REPORT_ENTRY +
    (use.sightings ? layout.sightings * SIGHTING_ENTRY + DWELL_BYTES : 0) +
    (use.buckets ? BUCKETS * (counters * 2 + 4) : 0)
  );
}

/** Bytes of activity state of the busiest number with this layout and `counters` window counters: every ring full. */
export function bytesPerActiveNumber(layout: ActivityLayout, counters: number): number {
  const { outbound, inbound, reports } = layout;
  return bytesOfNumber(layout, counters, { outbound, inbound, reports, sightings: true, cells: true, buckets: true });
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
    a.buckets.length === b.buckets.length &&
    a.buckets.every((value, i) => value === b.buckets[i])
  );
}

/**
 * The index space of one kind of block (a ring's entries of many numbers, in
 * the same typed arrays): blocks of a few sizes, a freed block reused by the
 * next block of its size. `resize` grows the arrays behind it. The free blocks
 * of a size are chained through their first entry in `links` (one of those
 * arrays: the next free block's base + 1, 0 for none), so a free list costs
 * nothing (a freed block's entries are never read before it is reused).
 */
class BlockPool {
  private top = 0;
  private capacity = 0;
  /** The first free block of each size (-1: none). */
  private readonly heads: Int32Array;
  /** Size → its free list, for the sizes this pool carves. */
  private readonly classOf: Int32Array;

  constructor(
    sizes: readonly number[],
    private readonly resize: (capacity: number) => void,
    private readonly links: () => Uint32Array | Int32Array,
  ) {
    this.classOf = new Int32Array(Math.max(...sizes) + 1).fill(-1);
    sizes.forEach((size, i) => (this.classOf[size] = i));
    this.heads = new Int32Array(sizes.length).fill(-1);
  }

  /** Entries in use or free, out of the arrays' capacity. */
  get extent(): number {
    return this.top;
  }

  alloc(size: number): number {
    const c = this.classOf[size];
    const free = this.heads[c];
    if (free >= 0) {
      this.heads[c] = this.links()[free] - 1;
      return free;
    }
    const base = this.top;
    this.top += size;
    if (this.top > this.capacity) {
      // Half again, not double: the arrays are most of the process (they grow in place within their reserve, grow.ts).
      this.capacity = Math.max(this.top, Math.ceil(this.capacity * 1.5), 1024);
      this.resize(this.capacity);
    }
    return base;
  }

  release(base: number, size: number): void {
    const c = this.classOf[size];
    this.links()[base] = this.heads[c] + 1;
    this.heads[c] = base;
  }

  /** Its extent, capacity and the heads of its free lists (the rest of each list is in its arrays). */
  writeImage(w: ImageWriter): void {
    w.u32(this.top);
    w.u32(this.capacity);
    w.array(this.heads);
  }

  /** Loads what writeImage wrote into a pool that never allocated; the arrays behind it are resized to match. */
  readImage(r: ImageReader): void {
    if (this.top !== 0) throw new Error('image: a block pool loads only before its first block');
    this.top = r.u32();
    this.capacity = r.u32();
    const heads = r.array((n) => new Int32Array(n));
    if (heads.length !== this.heads.length) throw new Error('image: the block sizes of a pool differ from the layout');
    this.heads.set(heads);
    if (this.capacity > 0) this.resize(this.capacity);
  }
}

/** Counts an outbound entry into window sums by its flags: what it was, and the signals' counters it counts in. */
function addEntry(out: Float64Array, flags: number): void {
  if (flags & OUT_SMS) out[C_SMS]++;
  else {
    out[C_CALLS]++;
    if (flags & OUT_NEW_CONTACT) out[C_NEW_CONTACT]++;
    if (flags & OUT_ANSWERED) out[C_ANSWERED]++;
  }
  for (let r = BASE_COUNTERS, recorded = flags >>> OUT_RECORDED_SHIFT; recorded !== 0; r++, recorded >>>= 1)
    if (recorded & 1) out[r]++;
}

/** Whether two stores keep numbers alike: the same layout and window counters. */
function sameLayoutOf(a: ActivityStore, b: ActivityStore): boolean {
  const x = a.layout;
  const y = b.layout;
  return (
    a.counters === b.counters &&
    x.outbound === y.outbound &&
    x.inbound === y.inbound &&
    x.reports === y.reports &&
    x.sightings === y.sightings
  );
}

/** A cell index through `cellOf`; -1 (none) stays -1. */
function cellOrNone(cell: number, cellOf: (cell: number) => number): number {
  return cell < 0 ? -1 : cellOf(cell);
}

export class ActivityStore {
  readonly layout: ActivityLayout;
  /** Window counters per bucket. */
  readonly counters: number;
  private capacity: number;
  private readonly index = new RowIndex();
  private free: number[] = [];
  private next = 0;
  /** Whether the outbound ring can count the windows of a light number (its flags hold the signals' counters). */
  private readonly countsInRing: boolean;
  private readonly outboundSizes: number[];
  private readonly inboundSizes: number[];
  private readonly reportSizes: number[];
  private readonly outboundPool: BlockPool;
  private readonly cellPool: BlockPool;
  private readonly inboundPool: BlockPool;
  private readonly reportPool: BlockPool;
  private readonly sightingPool: BlockPool;
  private readonly bucketPool: BlockPool;
  private readonly peers = new PeerRanges();
  /** Whether the peers' high-part indexes take 16 bits (more than NARROW_RANGES seen), not 8. */
  private widePeers = false;
  private extraCapacity = 0;
  private extraFree: number[] = [];
  private extraNext = 0;

  // Per slot (0: none; a ring's base is -1 until its first entry).
  key!: Float64Array;
  lastActivity!: Uint32Array;
  outBase!: Int32Array;
  outSize!: Uint8Array;
  outHead!: Uint8Array;
  outCount!: Uint8Array;
  inBase!: Int32Array;
  inSize!: Uint8Array;
  inCount!: Uint8Array;
  /** The slot's extra (what follows), -1 until it needs one: most numbers never do. */
  extra!: Int32Array;

  // Per extra (indexed by extra[slot]; a ring's base is -1 until its first entry).
  /** The block of the outbound entries' cells (as big as the outbound block), -1 until a high-risk one. */
  cellBase: Int32Array = growable(Int32Array, 0);
  reportBase: Int32Array = growable(Int32Array, 0);
  reportSize: Uint8Array = growable(Uint8Array, 0);
  reportCount: Uint8Array = growable(Uint8Array, 0);
  sightingBase: Int32Array = growable(Int32Array, 0);
  sightingCount: Uint8Array = growable(Uint8Array, 0);
  sightingHead: Uint8Array = growable(Uint8Array, 0);
  /** First of the slot's 52 buckets, -1 while its outbound ring counts its windows. */
  bucketBase: Int32Array = growable(Int32Array, 0);

  // Outbound entries (a slot's ring: outSize of them from outBase).
  outAt: Uint32Array = growable(Uint32Array, 0);
  /** The peer of an entry: its low 32 bits, and the index of its high part (see outPeerOf). */
  outPeerLow: Uint32Array = growable(Uint32Array, 0);
  outPeerHigh: Uint8Array | Uint16Array = growable(Uint8Array, 0);
  outDuration: Uint16Array = growable(Uint16Array, 0);
  outFlags: Uint8Array = growable(Uint8Array, 0);
  /** The cell of outbound entry i at cellBase + (i - outBase): see cellOf. */
  outCell: Int32Array = growable(Int32Array, 0);

  // Inbound contacts (most recent first is not kept: scan all).
  inPeerLow: Uint32Array = growable(Uint32Array, 0);
  inPeerHigh: Uint8Array | Uint16Array = growable(Uint8Array, 0);
  inAt: Uint32Array = growable(Uint32Array, 0);

  // Reports.
  reportBy: Float64Array = growable(Float64Array, 0);
  reportAt: Uint32Array = growable(Uint32Array, 0);
  reportCorroborated: Uint8Array = growable(Uint8Array, 0);

  // Sightings (layout.sightings per block).
  sightingCell: Int32Array = growable(Int32Array, 0);
  sightingAt: Uint32Array = growable(Uint32Array, 0);
  // The current stay at a high-risk cell, one per sightings block (at sightingBase / layout.sightings).
  private dwellCell: Int32Array = growable(Int32Array, 0);
  private dwellSince: Uint32Array = growable(Uint32Array, 0);
  private dwellLast: Uint32Array = growable(Uint32Array, 0);

  // Buckets (× counters).
  bucketStamp: Uint32Array = growable(Uint32Array, 0);
  bucketCounts: Uint16Array = growable(Uint16Array, 0);

  constructor(layout: ActivityLayout = DEFAULT_LAYOUT, counters = BASE_COUNTERS, initialCapacity = 1024) {
    if (layout.outbound > 255 || layout.inbound > 255 || layout.reports > 255 || layout.sightings > 255)
      throw new Error('activity layout sizes must be at most 255');
    if (!(layout.outbound >= 1 && layout.inbound >= 1 && layout.reports >= 1 && layout.sightings >= 1))
      throw new Error('activity layout sizes must be at least 1');
    if (!(Number.isInteger(counters) && counters >= BASE_COUNTERS))
      throw new Error(`an activity store keeps at least ${BASE_COUNTERS} counters`);
    this.layout = layout;
    this.counters = counters;
    this.countsInRing = counters - BASE_COUNTERS <= RECORDED_IN_FLAGS;
    this.outboundSizes = sizeClasses(layout.outbound);
    this.inboundSizes = sizeClasses(layout.inbound);
    this.reportSizes = sizeClasses(layout.reports);
    this.outboundPool = new BlockPool(
      this.outboundSizes,
      (n) => {
        this.outAt = grown(this.outAt, Uint32Array, n);
        this.outPeerLow = grown(this.outPeerLow, Uint32Array, n);
        this.outPeerHigh = this.grownHighs(this.outPeerHigh, n);
        this.outDuration = grown(this.outDuration, Uint16Array, n);
        this.outFlags = grown(this.outFlags, Uint8Array, n);
      },
      () => this.outPeerLow,
    );
    this.cellPool = new BlockPool(
      this.outboundSizes,
      (n) => (this.outCell = grown(this.outCell, Int32Array, n)),
      () => this.outCell,
    );
    this.inboundPool = new BlockPool(
      this.inboundSizes,
      (n) => {
        this.inPeerLow = grown(this.inPeerLow, Uint32Array, n);
        this.inPeerHigh = this.grownHighs(this.inPeerHigh, n);
        this.inAt = grown(this.inAt, Uint32Array, n);
      },
      () => this.inPeerLow,
    );
    this.reportPool = new BlockPool(
      this.reportSizes,
      (n) => {
        this.reportBy = grown(this.reportBy, Float64Array, n);
        this.reportAt = grown(this.reportAt, Uint32Array, n);
        this.reportCorroborated = grown(this.reportCorroborated, Uint8Array, n);
      },
      () => this.reportAt,
    );
    this.sightingPool = new BlockPool(
      [layout.sightings],
      (n) => {
        this.sightingCell = grown(this.sightingCell, Int32Array, n);
        this.sightingAt = grown(this.sightingAt, Uint32Array, n);
        const stays = Math.ceil(n / layout.sightings);
        this.dwellCell = grown(this.dwellCell, Int32Array, stays);
        this.dwellSince = grown(this.dwellSince, Uint32Array, stays);
        this.dwellLast = grown(this.dwellLast, Uint32Array, stays);
      },
      () => this.sightingAt,
    );
    this.bucketPool = new BlockPool(
      [BUCKETS],
      (n) => {
        this.bucketStamp = grown(this.bucketStamp, Uint32Array, n);
        this.bucketCounts = grown(this.bucketCounts, Uint16Array, n * counters);
      },
      () => this.bucketStamp,
    );
    this.capacity = 0;
    this.grow(Math.max(16, initialCapacity));
  }

  get active(): number {
    return this.index.size;
  }

  /** Bytes held in the store's arrays (capacity, used or not): what a number costs, measured. */
  get bytes(): number {
    const arrays = [
      this.key,
      this.lastActivity,
      ...this.perSlotCounts(),
      ...this.extraCounts(),
      this.dwellCell,
      this.dwellSince,
      this.dwellLast,
      this.outAt,
      this.outPeerLow,
      this.outPeerHigh,
      this.outDuration,
      this.outFlags,
      this.outCell,
      this.inPeerLow,
      this.inPeerHigh,
      this.inAt,
      this.reportBy,
      this.reportAt,
      this.reportCorroborated,
      this.sightingCell,
      this.sightingAt,
      this.bucketStamp,
      this.bucketCounts,
    ];
    return arrays.reduce((sum, array) => sum + array.byteLength, this.index.bytes);
  }

  slotOf(key: number): number {
    return this.index.find(this.key, key);
  }

  /** The number's slot, allocated (empty) on first use. */
  ensure(key: number, nowSec: number): number {
    let slot = this.slotOf(key);
    if (slot < 0) {
      if (!(key > 0) || !Number.isSafeInteger(key))
        throw new RangeError(`activity keys are positive safe integers, got ${key}`);
      slot = this.free.pop() ?? this.next++;
      if (slot >= this.capacity) this.grow(this.capacity * 2);
      this.empty(slot);
      this.key[slot] = key;
      this.index.insert(this.key, slot);
    }
    this.lastActivity[slot] = nowSec;
    return slot;
  }

  /** Frees the slots of numbers idle since before `idleSinceSec`; returns how many. */
  evict(idleSinceSec: number, keep?: (key: number) => boolean): number {
    let freed = 0;
    for (let slot = 0; slot < this.next; slot++) {
      const key = this.key[slot];
      if (key === 0 || this.lastActivity[slot] >= idleSinceSec || keep?.(key)) continue;
      this.index.remove(this.key, key);
      this.release(slot);
      this.key[slot] = 0;
      this.free.push(slot);
      freed++;
    }
    return freed;
  }

  /** The numbers that have a slot, in slot order. */
  keys(): number[] {
    const keys: number[] = [];
    for (let slot = 0; slot < this.next; slot++) if (this.key[slot] !== 0) keys.push(this.key[slot]);
    return keys;
  }

  /**
   * Copies a number's slot from another store of the same layout (a re-shard moves numbers between engines), which
   * this one must not hold yet: its rings with their sizes, heads and counts, its reports, sightings, current stay and
   * window buckets, exactly as they stand, so it goes on here as it would have there. Peers are numbers, re-filed in
   * this store's ranges; cells are the other engine's indexes, put through `cellOf` (each engine numbers its cells in
   * the order it met them). Only live entries are copied: the rest of a block is never read.
   */
  adopt(from: ActivityStore, key: number, cellOf: (cell: number) => number): void {
    if (!sameLayoutOf(this, from)) throw new Error('activity: a number moves only between stores of the same layout');
    const source = from.slotOf(key);
    if (source < 0) throw new Error(`activity: no slot of ${key} to adopt`);
    if (this.slotOf(key) >= 0) throw new Error(`activity: ${key} has a slot here already`);
    const slot = this.ensure(key, from.lastActivity[source]);
    const outSize = from.outSize[source];
    const x = from.extra[source];
    if (outSize > 0) {
      const base = this.outboundPool.alloc(outSize);
      this.outBase[slot] = base;
      this.outSize[slot] = outSize;
      this.outHead[slot] = from.outHead[source];
      this.outCount[slot] = from.outCount[source];
      for (let k = 0; k < from.outCount[source]; k++) {
        const i = from.outboundIndex(source, k);
        const j = base + i - from.outBase[source];
        // Interned before its array is read: the first peer past NARROW_RANGES widens it.
        const high = this.internPeer(from.outPeerOf(i));
        this.outPeerHigh[j] = high;
        this.outPeerLow[j] = from.outPeerLow[i];
        this.outAt[j] = from.outAt[i];
        this.outDuration[j] = from.outDuration[i];
        this.outFlags[j] = from.outFlags[i];
      }
    }
    const inSize = from.inSize[source];
    if (inSize > 0) {
      const base = this.inboundPool.alloc(inSize);
      const old = from.inBase[source];
      this.inBase[slot] = base;
      this.inSize[slot] = inSize;
      this.inCount[slot] = from.inCount[source];
      for (let j = 0; j < from.inCount[source]; j++) {
        const high = this.internPeer(from.peers.key(from.inPeerHigh[old + j], from.inPeerLow[old + j]));
        this.inPeerHigh[base + j] = high;
        this.inPeerLow[base + j] = from.inPeerLow[old + j];
        this.inAt[base + j] = from.inAt[old + j];
      }
    }
    if (x >= 0) this.adoptExtra(from, source, x, slot, cellOf);
  }

  /** adopt(): what the number keeps in its slot's extra (cells, reports, sightings and stay, buckets). */
  private adoptExtra(from: ActivityStore, source: number, x: number, slot: number, cellOf: (cell: number) => number) {
    const y = this.extraOf(slot);
    const cells = from.cellBase[x];
    if (cells >= 0) {
      const base = (this.cellBase[y] = this.cellPool.alloc(from.outSize[source]));
      for (let k = 0; k < from.outCount[source]; k++) {
        const at = from.outboundIndex(source, k) - from.outBase[source];
        this.outCell[base + at] = cellOrNone(from.outCell[cells + at], cellOf);
      }
    }
    const reportSize = from.reportSize[x];
    if (reportSize > 0) {
      const base = (this.reportBase[y] = this.reportPool.alloc(reportSize));
      const old = from.reportBase[x];
      this.reportSize[y] = reportSize;
      this.reportCount[y] = from.reportCount[x];
      for (let j = 0; j < from.reportCount[x]; j++) {
        this.reportBy[base + j] = from.reportBy[old + j];
        this.reportAt[base + j] = from.reportAt[old + j];
        this.reportCorroborated[base + j] = from.reportCorroborated[old + j];
      }
    }
    const sightings = from.sightingBase[x];
    if (sightings >= 0) {
      const size = this.layout.sightings;
      const base = (this.sightingBase[y] = this.sightingPool.alloc(size));
      const head = (this.sightingHead[y] = from.sightingHead[x]);
      const count = (this.sightingCount[y] = from.sightingCount[x]);
      for (let k = 0; k < count; k++) {
        const at = (head - 1 - k + size * 2) % size;
        this.sightingCell[base + at] = cellOrNone(from.sightingCell[sightings + at], cellOf);
        this.sightingAt[base + at] = from.sightingAt[sightings + at];
      }
      const stay = this.stayOf(y);
      const old = from.stayOf(x);
      this.dwellCell[stay] = cellOrNone(from.dwellCell[old], cellOf);
      this.dwellSince[stay] = from.dwellSince[old];
      this.dwellLast[stay] = from.dwellLast[old];
    }
    const buckets = from.bucketBase[x];
    if (buckets >= 0) {
      const base = (this.bucketBase[y] = this.bucketPool.alloc(BUCKETS));
      this.bucketStamp.set(from.bucketStamp.subarray(buckets, buckets + BUCKETS), base);
      const counters = this.counters;
      this.bucketCounts.set(
        from.bucketCounts.subarray(buckets * counters, (buckets + BUCKETS) * counters),
        base * counters,
      );
    }
  }

  /**
   * Forgets the evidence about a number (after a restore: the same evidence must
   * not count again). Who called it is kept: that is evidence about others.
   */
  forget(key: number): void {
    const slot = this.slotOf(key);
    if (slot < 0) return;
    const inbound = this.inCount[slot];
    this.reset(slot);
    this.inCount[slot] = inbound;
  }

  /** What forget() and new activity change about a number, to be put back by restore(). */
  snapshot(key: number): ActivitySnapshot | undefined {
    const slot = this.slotOf(key);
    if (slot < 0) return undefined;
    const x = this.extra[slot];
    const buckets = x < 0 ? -1 : this.bucketBase[x];
    const counts = this.perSlotCounts().map((array) => array[slot]);
    if (x >= 0) for (const array of this.extraCounts()) counts.push(array[x]);
    // Last, the cell of its current stay (-1: none).
    counts.push(x < 0 || this.sightingBase[x] < 0 ? -1 : this.dwellCell[this.stayOf(x)]);
    return {
      slot,
      counts,
      buckets: buckets < 0 ? new Uint32Array(0) : this.bucketStamp.slice(buckets, buckets + BUCKETS),
    };
  }

  /**
   * Puts back a snapshot taken of the same slot, when nothing was written into it since (see sameActivity); false,
   * changing nothing, when the slot's blocks moved or grew meanwhile.
   */
  restore(snapshot: ActivitySnapshot): boolean {
    const { slot, counts, buckets } = snapshot;
    const arrays = this.perSlotCounts();
    for (let i = 0; i < BLOCKS; i++) if (arrays[i][slot] !== counts[i]) return false;
    const x = this.extra[slot];
    const extras = this.extraCounts();
    const n = arrays.length;
    if (x >= 0) for (let i = 0; i < EXTRA_BLOCKS; i++) if (extras[i][x] !== counts[n + i]) return false;
    arrays.forEach((array, i) => (array[slot] = counts[i]));
    if (x < 0) return true;
    extras.forEach((array, i) => (array[x] = counts[n + i]));
    if (this.sightingBase[x] >= 0) this.dwellCell[this.stayOf(x)] = counts[n + extras.length];
    if (this.bucketBase[x] >= 0) this.bucketStamp.set(buckets, this.bucketBase[x]);
    return true;
  }

  /**
   * The arrays of one number per slot that a snapshot keeps, in the order of its counts (read anew: they grow); the
   * first BLOCKS say where its blocks are.
   */
  private perSlotCounts(): (Uint32Array | Uint16Array | Uint8Array | Int32Array)[] {
    return [
      this.outBase,
      this.outSize,
      this.inBase,
      this.inSize,
      this.extra,
      this.lastActivity,
      this.outHead,
      this.outCount,
      this.inCount,
    ];
  }

  /**
   * The arrays of one number per extra, in the order of a snapshot's counts after its slot's; the first EXTRA_BLOCKS
   * say where its blocks are.
   */
  private extraCounts(): (Uint8Array | Int32Array)[] {
    return [
      this.reportBase,
      this.reportSize,
      this.sightingBase,
      this.bucketBase,
      this.cellBase,
      this.reportCount,
      this.sightingCount,
      this.sightingHead,
    ];
  }

  /** The slot's extra, taken (empty) on first need. */
  private extraOf(slot: number): number {
    let x = this.extra[slot];
    if (x >= 0) return x;
    x = this.extraFree.pop() ?? this.extraNext++;
    if (x >= this.extraCapacity) this.growExtras(Math.max(64, this.extraCapacity * 2));
    this.cellBase[x] = -1;
    this.reportBase[x] = -1;
    this.reportSize[x] = 0;
    this.reportCount[x] = 0;
    this.sightingBase[x] = -1;
    this.sightingCount[x] = 0;
    this.sightingHead[x] = 0;
    this.bucketBase[x] = -1;
    this.extra[slot] = x;
    return x;
  }

  private growExtras(capacity: number): void {
    this.cellBase = grown(this.cellBase, Int32Array, capacity);
    this.reportBase = grown(this.reportBase, Int32Array, capacity);
    this.reportSize = grown(this.reportSize, Uint8Array, capacity);
    this.reportCount = grown(this.reportCount, Uint8Array, capacity);
    this.sightingBase = grown(this.sightingBase, Int32Array, capacity);
    this.sightingCount = grown(this.sightingCount, Uint8Array, capacity);
    this.sightingHead = grown(this.sightingHead, Uint8Array, capacity);
    this.bucketBase = grown(this.bucketBase, Int32Array, capacity);
    this.extraCapacity = capacity;
  }

  // --- image ---------------------------------------------------------------

  /**
   * Writes the store (see image.ts): its slots' columns up to the last slot ever used and each pool's arrays up to
   * its extent, in bulk, free slots and blocks included as they are (a freed block keeps its stale entries, as here).
   * The index is not written: readImage files the keys afresh.
   */
  writeImage(w: ImageWriter): void {
    w.u32(this.counters);
    w.u32(this.capacity);
    w.u32(this.next);
    w.array(Int32Array.from(this.free));
    for (const column of this.slotColumns()) w.array(column.subarray(0, this.next));
    w.u32(this.extraCapacity);
    w.u32(this.extraNext);
    w.array(Int32Array.from(this.extraFree));
    for (const column of this.extraCounts()) w.array(column.subarray(0, this.extraNext));
    // The peers' ranges first: how many there are says how wide the rings' indexes of them are.
    this.peers.writeImage(w);
    for (const [pool, arrays] of this.pooled()) {
      pool.writeImage(w);
      for (const [array, used] of arrays()) w.array(array.subarray(0, used));
    }
  }

  /** Loads what writeImage wrote into this store, new (nothing recorded yet) and of the same layout. */
  readImage(r: ImageReader): void {
    if (this.next !== 0) throw new Error('image: an activity store loads only while it is empty');
    const counters = r.u32();
    if (counters !== this.counters)
      throw new Error(`image: the activity store kept ${counters} counters, this one keeps ${this.counters}`);
    const capacity = r.u32();
    this.next = r.u32();
    this.free = Array.from(r.array((n) => new Int32Array(n)));
    this.grow(capacity);
    for (const column of this.slotColumns()) r.into(column, this.next);
    this.index.refile(this.key, capacity);
    const extraCapacity = r.u32();
    this.extraNext = r.u32();
    this.extraFree = Array.from(r.array((n) => new Int32Array(n)));
    if (extraCapacity > 0) this.growExtras(extraCapacity);
    for (const column of this.extraCounts()) r.into(column, this.extraNext);
    this.peers.readImage(r);
    if (this.peers.size > NARROW_RANGES) this.widenPeers();
    for (const [pool, arrays] of this.pooled()) {
      pool.readImage(r);
      for (const [array, used] of arrays()) r.into(array, used);
    }
  }

  /** Every per-slot column, in the image's order (read anew: they grow). */
  private slotColumns(): ImageArray[] {
    return [this.key, ...this.perSlotCounts()];
  }

  /** Each pool, with its arrays and how much of each its extent uses (read anew, after the pool resized them). */
  private pooled(): [BlockPool, () => [ImageArray, number][]][] {
    const { outboundPool, cellPool, inboundPool, reportPool, sightingPool, bucketPool } = this;
    return [
      [
        outboundPool,
        () =>
          [this.outAt, this.outPeerLow, this.outPeerHigh, this.outDuration, this.outFlags].map((a) => [
            a,
            outboundPool.extent,
          ]),
      ],
      [cellPool, () => [[this.outCell, cellPool.extent]]],
      [inboundPool, () => [this.inPeerLow, this.inPeerHigh, this.inAt].map((a) => [a, inboundPool.extent])],
      [reportPool, () => [this.reportBy, this.reportAt, this.reportCorroborated].map((a) => [a, reportPool.extent])],
      [
        sightingPool,
        () => {
          const stays = Math.ceil(sightingPool.extent / this.layout.sightings);
          return [
            [this.sightingCell, sightingPool.extent],
            [this.sightingAt, sightingPool.extent],
            [this.dwellCell, stays],
            [this.dwellSince, stays],
            [this.dwellLast, stays],
          ];
        },
      ],
      [
        bucketPool,
        () => [
          [this.bucketStamp, bucketPool.extent],
          [this.bucketCounts, bucketPool.extent * this.counters],
        ],
      ],
    ];
  }

  // --- outbound ring -------------------------------------------------------

  /**
   * Remembers a call or text made; `recorded` has bit r set when the r-th signal that keeps a counter counts it
   * (its counter is BASE_COUNTERS + r). Counts it in the windows.
   */
  pushOutbound(
    slot: number,
    atSec: number,
    peer: number,
    durationSec: number,
    flags: number,
    cell: number,
    recorded = 0,
  ): number {
    let x = this.extra[slot];
    if ((x < 0 || this.bucketBase[x] < 0) && this.outgrowsRing(slot, atSec)) x = this.keepBuckets(slot);
    const count = this.outCount[slot];
    if (count === this.outSize[slot] && count < this.layout.outbound) this.growOutbound(slot);
    const size = this.outSize[slot];
    const head = this.outHead[slot];
    const i = this.outBase[slot] + head;
    this.outAt[i] = atSec;
    // Interned before its array is read: the first peer past NARROW_RANGES widens it.
    const high = this.internPeer(peer);
    this.outPeerLow[i] = low32(peer);
    this.outPeerHigh[i] = high;
    this.outDuration[i] = Math.min(durationSec, 65_535);
    this.outFlags[i] = this.countsInRing ? flags | (recorded << OUT_RECORDED_SHIFT) : flags;
    if (flags & OUT_HIGH_RISK && (x < 0 || this.cellBase[x] < 0)) {
      x = this.extraOf(slot);
      this.cellBase[x] = this.cellPool.alloc(size);
    }
    if (x >= 0 && this.cellBase[x] >= 0) this.outCell[this.cellBase[x] + head] = cell;
    this.outHead[slot] = (head + 1) % size;
    if (count < size) this.outCount[slot] = count + 1;
    if (x >= 0 && this.bucketBase[x] >= 0) this.countActivity(this.bucketBase[x], atSec, flags, recorded);
    return i;
  }

  /** The cell of outbound entry `i` of the slot, when it was made at a high-risk cell (OUT_HIGH_RISK). */
  cellOf(slot: number, i: number): number {
    return this.outCell[this.cellBase[this.extra[slot]] + i - this.outBase[slot]];
  }

  /** The index of the high part of `peer`, taken on first sight; the rings' indexes widen past NARROW_RANGES. */
  private internPeer(peer: number): number {
    const high = this.peers.intern(peer);
    if (high >= NARROW_RANGES && !this.widePeers) this.widenPeers();
    return high;
  }

  /** The rings' indexes of their peers' high parts, from 8 bits to 16 (a copy: once, past NARROW_RANGES). */
  private widenPeers(): void {
    const widen = (narrow: Uint8Array | Uint16Array) => {
      const wide = growable(Uint16Array, narrow.length);
      wide.set(narrow);
      return wide;
    };
    this.outPeerHigh = widen(this.outPeerHigh);
    this.inPeerHigh = widen(this.inPeerHigh);
    this.widePeers = true;
  }

  /** A ring's indexes of its peers' high parts, grown to `n` at their width. */
  private grownHighs(highs: Uint8Array | Uint16Array, n: number): Uint8Array | Uint16Array {
    return this.widePeers ? grown(highs as Uint16Array, Uint16Array, n) : grown(highs as Uint8Array, Uint8Array, n);
  }

  /** The peer (the number called or texted) of outbound entry `i`. */
  outPeerOf(i: number): number {
    return this.peers.key(this.outPeerHigh[i], this.outPeerLow[i]);
  }

  /**
   * The slot's outbound entries, newest first (the order findOutbound walks): the peer of the k-th into `peers[k]` and
   * its time into `atSec[k]`. Returns how many (outCount); both arrays hold at least layout.outbound.
   */
  outboundEntries(slot: number, peers: Float64Array, atSec: Uint32Array): number {
    const count = this.outCount[slot];
    for (let k = 0; k < count; k++) {
      const i = this.outboundIndex(slot, k);
      peers[k] = this.outPeerOf(i);
      atSec[k] = this.outAt[i];
    }
    return count;
  }

  /** Index of the k-th most recent outbound entry (k = 0 is the newest). */
  outboundIndex(slot: number, k: number): number {
    const size = this.outSize[slot];
    return this.outBase[slot] + ((this.outHead[slot] - 1 - k + size * 2) % size);
  }

  /** The most recent outbound entry to `peer` at or after `sinceSec`, or -1. */
  findOutbound(slot: number, peer: number, sinceSec: number): number {
    const high = this.peers.find(peer);
    if (high < 0) return -1;
    const low = low32(peer);
    for (let k = 0; k < this.outCount[slot]; k++) {
      const i = this.outboundIndex(slot, k);
      if (this.outAt[i] < sinceSec) return -1;
      if (this.outPeerLow[i] === low && this.outPeerHigh[i] === high) return i;
    }
    return -1;
  }

  /**
   * Whether a call or text at `atSec` would leave the ring unable to count the windows exactly: it comes before the
   * newest one (out of time order), or it pushes out one that a window may still count.
   */
  private outgrowsRing(slot: number, atSec: number): boolean {
    if (!this.countsInRing) return true;
    const count = this.outCount[slot];
    if (count === 0) return false;
    if (atSec < this.outAt[this.outboundIndex(slot, 0)]) return true;
    if (count < this.layout.outbound) return false;
    const oldest = this.outAt[this.outBase[slot] + this.outHead[slot]];
    return Math.floor(atSec / HOURS.widthSec) - Math.floor(oldest / HOURS.widthSec) < HOURS.buckets;
  }

  /** Gives the slot window buckets of its own, filled from its ring (exactly what they would have counted). */
  private keepBuckets(slot: number): number {
    const x = this.extraOf(slot);
    const base = this.bucketPool.alloc(BUCKETS);
    this.bucketBase[x] = base;
    this.bucketStamp.fill(0, base, base + BUCKETS);
    for (let k = this.outCount[slot] - 1; k >= 0; k--) {
      const i = this.outboundIndex(slot, k);
      const flags = this.outFlags[i];
      this.countActivity(base, this.outAt[i], flags, flags >>> OUT_RECORDED_SHIFT);
    }
    return x;
  }

  /** The next size of a full ring that has not reached the layout's: its entries keep their positions. */
  private growOutbound(slot: number): void {
    const size = this.outSize[slot];
    const next = size === 0 ? this.outboundSizes[0] : this.outboundSizes[this.outboundSizes.indexOf(size) + 1];
    const old = this.outBase[slot];
    const base = this.outboundPool.alloc(next);
    if (size > 0) {
      // Full and not yet wrapped: the head is at 0, the entries in positions 0..size-1, oldest first.
      // A loop: the blocks are small, and copyWithin costs more to call than to copy them.
      for (let j = 0; j < size; j++) {
        this.outAt[base + j] = this.outAt[old + j];
        this.outPeerLow[base + j] = this.outPeerLow[old + j];
        this.outPeerHigh[base + j] = this.outPeerHigh[old + j];
        this.outDuration[base + j] = this.outDuration[old + j];
        this.outFlags[base + j] = this.outFlags[old + j];
      }
      this.outboundPool.release(old, size);
      const x = this.extra[slot];
      const cells = x < 0 ? -1 : this.cellBase[x];
      if (cells >= 0) {
        const moved = this.cellPool.alloc(next);
        for (let j = 0; j < size; j++) this.outCell[moved + j] = this.outCell[cells + j];
        this.cellPool.release(cells, size);
        this.cellBase[x] = moved;
      }
    }
    this.outBase[slot] = base;
    this.outSize[slot] = next;
    this.outHead[slot] = size;
  }

  // --- inbound contacts ----------------------------------------------------

  /** Remembers that `peer` called or texted this number; the oldest contact makes room. */
  noteInbound(slot: number, peer: number, atSec: number): void {
    let base = this.inBase[slot];
    const count = this.inCount[slot];
    const low = low32(peer);
    const high = this.internPeer(peer);
    let oldest = 0;
    for (let j = 0; j < count; j++) {
      if (this.inPeerLow[base + j] === low && this.inPeerHigh[base + j] === high) {
        this.inAt[base + j] = atSec;
        return;
      }
      if (this.inAt[base + j] < this.inAt[base + oldest]) oldest = j;
    }
    let j = oldest;
    if (count < this.layout.inbound) {
      if (count === this.inSize[slot]) base = this.growInbound(slot);
      j = this.inCount[slot]++;
    }
    this.inPeerLow[base + j] = low;
    this.inPeerHigh[base + j] = high;
    this.inAt[base + j] = atSec;
  }

  /** True when `peer` called or texted this number at or after `sinceSec`. */
  heardFrom(slot: number, peer: number, sinceSec: number): boolean {
    const high = this.peers.find(peer);
    if (high < 0) return false;
    const low = low32(peer);
    const base = this.inBase[slot];
    for (let j = 0; j < this.inCount[slot]; j++) {
      if (this.inPeerLow[base + j] === low && this.inPeerHigh[base + j] === high)
        return this.inAt[base + j] >= sinceSec;
    }
    return false;
  }

  /**
   * The slot's inbound contacts in the order of their positions (which noteInbound's choice of the oldest depends
   * on): the peer of the j-th into `peers[j]` and its time into `atSec[j]`. Returns how many (inCount); both arrays
   * hold at least layout.inbound.
   */
  inboundEntries(slot: number, peers: Float64Array, atSec: Uint32Array): number {
    const count = this.inCount[slot];
    const base = this.inBase[slot];
    for (let j = 0; j < count; j++) {
      peers[j] = this.peers.key(this.inPeerHigh[base + j], this.inPeerLow[base + j]);
      atSec[j] = this.inAt[base + j];
    }
    return count;
  }

  private growInbound(slot: number): number {
    const size = this.inSize[slot];
    const next = size === 0 ? this.inboundSizes[0] : this.inboundSizes[this.inboundSizes.indexOf(size) + 1];
    const old = this.inBase[slot];
    const base = this.inboundPool.alloc(next);
    if (size > 0) {
      for (let j = 0; j < size; j++) {
        this.inPeerLow[base + j] = this.inPeerLow[old + j];
        this.inPeerHigh[base + j] = this.inPeerHigh[old + j];
        this.inAt[base + j] = this.inAt[old + j];
      }
      this.inboundPool.release(old, size);
    }
    this.inBase[slot] = base;
    this.inSize[slot] = next;
    return base;
  }

  // --- reports -------------------------------------------------------------

  /** Records a report; a reporter counts once (its latest report). Returns false for a repeat within `sinceSec`. */
  noteReport(slot: number, reporter: number, atSec: number, corroborated: boolean): boolean {
    const x = this.extraOf(slot);
    let base = this.reportBase[x];
    let oldest = 0;
    const count = this.reportCount[x];
    for (let j = 0; j < count; j++) {
      if (this.reportBy[base + j] === reporter) {
        this.reportAt[base + j] = atSec;
        this.reportCorroborated[base + j] = this.reportCorroborated[base + j] | (corroborated ? 1 : 0);
        return false;
      }
      if (this.reportAt[base + j] < this.reportAt[base + oldest]) oldest = j;
    }
    let j = oldest;
    if (count < this.layout.reports) {
      if (count === this.reportSize[x]) base = this.growReports(x);
      j = this.reportCount[x]++;
    }
    this.reportBy[base + j] = reporter;
    this.reportAt[base + j] = atSec;
    this.reportCorroborated[base + j] = corroborated ? 1 : 0;
    return true;
  }

  /** Grows the reports block of extra `x`. */
  private growReports(x: number): number {
    const size = this.reportSize[x];
    const next = size === 0 ? this.reportSizes[0] : this.reportSizes[this.reportSizes.indexOf(size) + 1];
    const old = this.reportBase[x];
    const base = this.reportPool.alloc(next);
    if (size > 0) {
      for (let j = 0; j < size; j++) {
        this.reportBy[base + j] = this.reportBy[old + j];
        this.reportAt[base + j] = this.reportAt[old + j];
        this.reportCorroborated[base + j] = this.reportCorroborated[old + j];
      }
      this.reportPool.release(old, size);
    }
    this.reportBase[x] = base;
    this.reportSize[x] = next;
    return base;
  }

  // --- high-risk cells -----------------------------------------------------

  /** Remembers a sighting at a high-risk cell; a continued stay at the same cell keeps its first time. */
  noteSighting(slot: number, cell: number, atSec: number): void {
    const size = this.layout.sightings;
    const base = this.sightingsOf(slot);
    const x = this.extra[slot];
    const head = this.sightingHead[x];
    const count = this.sightingCount[x];
    if (count > 0 && this.sightingCell[base + ((head - 1 + size) % size)] === cell) return;
    this.sightingCell[base + head] = cell;
    this.sightingAt[base + head] = atSec;
    this.sightingHead[x] = (head + 1) % size;
    if (count < size) this.sightingCount[x] = count + 1;
  }

  /** Tracks continuous stay at high-risk cells: a sighting outside them ends the stay. */
  noteDwell(slot: number, highRiskCell: number, atSec: number, maxGapSec: number): void {
    if (highRiskCell < 0) {
      // Never at a high-risk cell: no stay to end.
      const x = this.extra[slot];
      if (x >= 0 && this.sightingBase[x] >= 0) this.dwellCell[this.stayOf(x)] = -1;
      return;
    }
    this.sightingsOf(slot);
    const stay = this.stayOf(this.extra[slot]);
    if (this.dwellCell[stay] === highRiskCell && atSec - this.dwellLast[stay] <= maxGapSec) {
      this.dwellLast[stay] = atSec;
      return;
    }
    this.dwellCell[stay] = highRiskCell;
    this.dwellSince[stay] = atSec;
    this.dwellLast[stay] = atSec;
  }

  /** Since when the number has stayed at its current high-risk cell (after noteDwell at one). */
  dwellSinceOf(slot: number): number {
    return this.dwellSince[this.stayOf(this.extra[slot])];
  }

  /** The slot's sightings block (and stay), taken on first use: no stay yet. */
  private sightingsOf(slot: number): number {
    const x = this.extraOf(slot);
    let base = this.sightingBase[x];
    if (base < 0) {
      base = this.sightingBase[x] = this.sightingPool.alloc(this.layout.sightings);
      this.dwellCell[this.stayOf(x)] = -1;
    }
    return base;
  }

  /** The stay of extra `x` (with sightings). */
  private stayOf(x: number): number {
    return this.sightingBase[x] / this.layout.sightings;
  }

  // --- window counters ---------------------------------------------------

  /** Counts a call or text made (its flags, and the signals' counters in `recorded`) in the slot's buckets. */
  private countActivity(base: number, atSec: number, flags: number, recorded: number): void {
    if (flags & OUT_SMS) this.count(base, atSec, C_SMS);
    else {
      this.count(base, atSec, C_CALLS);
      if (flags & OUT_NEW_CONTACT) this.count(base, atSec, C_NEW_CONTACT);
      if (flags & OUT_ANSWERED) this.count(base, atSec, C_ANSWERED);
    }
    for (let r = 0; recorded >>> r !== 0; r++) if ((recorded >>> r) & 1) this.count(base, atSec, BASE_COUNTERS + r);
  }

  /** Counts one occurrence of `counter` at `atSec` in every window of a slot that keeps buckets. */
  private count(base: number, atSec: number, counter: number): void {
    const counters = this.counters;
    for (let r = 0; r < RINGS.length; r++) {
      const ring = RINGS[r];
      const stamp = Math.floor(atSec / ring.widthSec) + 1;
      const b = base + ring.offset + (stamp % ring.buckets);
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
    const out = new Float64Array(this.counters);
    this.sums(slot, atSec, window, out);
    return out[counter];
  }

  /**
   * Every counter summed over the window ending at `atSec`, into `out[counter]`. A slot with buckets adds up the
   * buckets of the window; a light one counts its ring's entries the same way, bucket by bucket: an entry counts when
   * its bucket is in the window and no later entry took that bucket over (as it would in the slot's own buckets).
   */
  sums(slot: number, atSec: number, window: Window, out: Float64Array): void {
    out.fill(0);
    if (slot < 0) return;
    const ring = RINGS[window];
    const stamp = Math.floor(atSec / ring.widthSec) + 1;
    const x = this.extra[slot];
    const base = x < 0 ? -1 : this.bucketBase[x];
    if (base >= 0) {
      const counters = this.counters;
      for (let j = 0; j < ring.buckets; j++) {
        const b = base + ring.offset + j;
        const age = stamp - this.bucketStamp[b];
        if (age >= 0 && age < ring.buckets) {
          const c = b * counters;
          for (let k = 0; k < counters; k++) out[k] += this.bucketCounts[c + k];
        }
      }
      return;
    }
    const count = this.outCount[slot];
    if (count === 0) return;
    const newest = Math.floor(this.outAt[this.outboundIndex(slot, 0)] / ring.widthSec) + 1;
    // Newest first, in time order (an entry out of order gives the slot buckets): stop at the window's start.
    for (let k = 0; k < count; k++) {
      const i = this.outboundIndex(slot, k);
      const at = Math.floor(this.outAt[i] / ring.widthSec) + 1;
      const age = stamp - at;
      if (age >= ring.buckets) break;
      if (age < 0) continue;
      if (newest - at >= ring.buckets && this.takenOver(slot, k, at, ring.buckets, ring.widthSec)) continue;
      addEntry(out, this.outFlags[i]);
    }
  }

  /** The three windows' sums at once (what sums() gives for each, in one pass over a light number's ring). */
  windowSums(slot: number, atSec: number, min10: Float64Array, min90: Float64Array, hours24: Float64Array): void {
    if (slot < 0 || this.outCount[slot] === 0 || (this.extra[slot] >= 0 && this.bucketBase[this.extra[slot]] >= 0)) {
      this.sums(slot, atSec, Window.Min10, min10);
      this.sums(slot, atSec, Window.Min90, min90);
      this.sums(slot, atSec, Window.Hours24, hours24);
      return;
    }
    min10.fill(0);
    min90.fill(0);
    hours24.fill(0);
    const count = this.outCount[slot];
    const newestAt = this.outAt[this.outboundIndex(slot, 0)];
    // Before the newest entry, a later one may have taken a bucket over: let sums() sort that out.
    if (atSec < newestAt) {
      this.sums(slot, atSec, Window.Min10, min10);
      this.sums(slot, atSec, Window.Min90, min90);
      this.sums(slot, atSec, Window.Hours24, hours24);
      return;
    }
    // At or after the newest entry no bucket was taken over (in time order, a later one would be newer still).
    const m10 = RINGS[Window.Min10];
    const m90 = RINGS[Window.Min90];
    const h24 = RINGS[Window.Hours24];
    for (let k = 0; k < count; k++) {
      const i = this.outboundIndex(slot, k);
      const at = this.outAt[i];
      // The 24-hour window reaches furthest: an entry it does not count is older than all of them, and so are the rest.
      if (Math.floor(atSec / h24.widthSec) - Math.floor(at / h24.widthSec) >= h24.buckets) break;
      const flags = this.outFlags[i];
      addEntry(hours24, flags);
      if (Math.floor(atSec / m90.widthSec) - Math.floor(at / m90.widthSec) < m90.buckets) addEntry(min90, flags);
      if (Math.floor(atSec / m10.widthSec) - Math.floor(at / m10.widthSec) < m10.buckets) addEntry(min10, flags);
    }
  }

  /** Whether an entry newer than the k-th (whose bucket stamp is `at`) fell in the same bucket of a later round. */
  private takenOver(slot: number, k: number, at: number, buckets: number, widthSec: number): boolean {
    for (let newer = 0; newer < k; newer++) {
      const later = Math.floor(this.outAt[this.outboundIndex(slot, newer)] / widthSec) + 1;
      if (later > at && (later - at) % buckets === 0) return true;
    }
    return false;
  }

  // --- storage -------------------------------------------------------------

  /** Empties the slot's rings and windows; its blocks stay (a later entry reuses them). */
  private reset(slot: number): void {
    this.outHead[slot] = 0;
    this.outCount[slot] = 0;
    this.inCount[slot] = 0;
    const x = this.extra[slot];
    if (x < 0) return;
    this.reportCount[x] = 0;
    this.sightingCount[x] = 0;
    this.sightingHead[x] = 0;
    if (this.sightingBase[x] >= 0) this.dwellCell[this.stayOf(x)] = -1;
    const buckets = this.bucketBase[x];
    if (buckets >= 0) this.bucketStamp.fill(0, buckets, buckets + BUCKETS);
  }

  /** A new slot: no blocks. */
  private empty(slot: number): void {
    this.outBase[slot] = -1;
    this.outSize[slot] = 0;
    this.inBase[slot] = -1;
    this.inSize[slot] = 0;
    this.extra[slot] = -1;
    this.reset(slot);
  }

  /** Gives the slot's blocks back to their pools. */
  private release(slot: number): void {
    if (this.outSize[slot] > 0) this.outboundPool.release(this.outBase[slot], this.outSize[slot]);
    if (this.inSize[slot] > 0) this.inboundPool.release(this.inBase[slot], this.inSize[slot]);
    const x = this.extra[slot];
    if (x >= 0) {
      if (this.cellBase[x] >= 0) this.cellPool.release(this.cellBase[x], this.outSize[slot]);
      if (this.reportSize[x] > 0) this.reportPool.release(this.reportBase[x], this.reportSize[x]);
      if (this.sightingBase[x] >= 0) this.sightingPool.release(this.sightingBase[x], this.layout.sightings);
      if (this.bucketBase[x] >= 0) this.bucketPool.release(this.bucketBase[x], BUCKETS);
      this.extraFree.push(x);
    }
    this.empty(slot);
  }

  private grow(capacity: number): void {
    const slots = <T extends GrowableArray>(old: T | undefined, type: GrowableArrayType<T>): T =>
      grown(old, type, capacity);
    this.key = slots(this.key, Float64Array);
    this.lastActivity = slots(this.lastActivity, Uint32Array);
    this.outBase = slots(this.outBase, Int32Array);
    this.outSize = slots(this.outSize, Uint8Array);
    this.outHead = slots(this.outHead, Uint8Array);
    this.outCount = slots(this.outCount, Uint8Array);
    this.inBase = slots(this.inBase, Int32Array);
    this.inSize = slots(this.inSize, Uint8Array);
    this.inCount = slots(this.inCount, Uint8Array);
    this.extra = slots(this.extra, Int32Array);
    this.capacity = capacity;
    this.index.reserve(this.key, capacity);
  }
}
