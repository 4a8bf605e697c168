import { grown, growable, type GrowableArrayType } from '../grow';
import { RowIndex } from '../row-index';
import type { CarrierId, UsageProfile } from './events';
import type { ImageReader, ImageWriter } from './image';
import type { Subscriber } from './signals';

/** A subscriber as the engine knows it: whose it is, and what the analysis reads of it. */
export interface DirectoryEntry extends Subscriber {
  carrier: CarrierId;
  /** The profile was attested by an employer or platform: a directory record cannot undo it. */
  attested: boolean;
}

const REAL_NAME = 1;
const ATTESTED = 2;

/** A few distinct values (carriers, profiles) by small number, in the order first seen. */
class Names<T> {
  readonly values: T[] = [];
  private readonly numbers = new Map<T, number>();

  numberOf(value: T): number {
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.values.length;
      if (n > 255) throw new Error('directory: more than 256 distinct carriers or profiles');
      this.values.push(value);
      this.numbers.set(value, n);
    }
    return n;
  }
}

/**
 * The subscriber directory: every subscriber of every carrier the engine
 * hears of, in columns (about 30 bytes a subscriber, no object each). Reads
 * fill an entry the caller owns; `get` gives a copy.
 */
export class Directory {
  private readonly index = new RowIndex();
  private readonly carriers = new Names<CarrierId>();
  private readonly profiles = new Names<UsageProfile>();
  private readonly free: number[] = [];
  private next = 0;
  private key = growable(Float64Array, 0);
  private activatedAt = growable(Float64Array, 0);
  private carrier = growable(Uint8Array, 0);
  private profile = growable(Uint8Array, 0);
  private flags = growable(Uint8Array, 0);

  get size(): number {
    return this.index.size;
  }

  /** Bytes held in the directory's arrays (capacity, used or not). */
  get bytes(): number {
    const columns = [this.key, this.activatedAt, this.carrier, this.profile, this.flags];
    return columns.reduce((sum, column) => sum + column.byteLength, this.index.bytes);
  }

  has(key: number): boolean {
    return this.index.find(this.key, key) >= 0;
  }

  /** Whether the number is a subscriber of `carrier` (of any carrier, when undefined). */
  isOf(key: number, carrier: CarrierId | undefined): boolean {
    return this.rowIsOf(this.index.find(this.key, key), carrier);
  }

  /** The row of `key` (-1: none), valid until the directory changes: for readRow and rowIsOf. */
  rowOf(key: number): number {
    return this.index.find(this.key, key);
  }

  /** Whether the subscriber in `row` (-1: none) is of `carrier` (of any carrier, when undefined). */
  rowIsOf(row: number, carrier: CarrierId | undefined): boolean {
    return row >= 0 && (carrier === undefined || this.carriers.values[this.carrier[row]] === carrier);
  }

  /** The entry of `key` written into `into` (reused by the caller); undefined when it has none. */
  read(key: number, into: DirectoryEntry): DirectoryEntry | undefined {
    return this.readRow(this.index.find(this.key, key), into);
  }

  /** The entry in `row` (from rowOf; -1: none) written into `into`; undefined when there is none. */
  readRow(row: number, into: DirectoryEntry): DirectoryEntry | undefined {
    if (row < 0) return undefined;
    into.carrier = this.carriers.values[this.carrier[row]];
    into.activatedAt = this.activatedAt[row];
    into.realNameVerified = (this.flags[row] & REAL_NAME) !== 0;
    into.profile = this.profiles.values[this.profile[row]];
    into.attested = (this.flags[row] & ATTESTED) !== 0;
    return into;
  }

  /** A copy of the entry of `key`. */
  get(key: number): DirectoryEntry | undefined {
    return this.read(key, {
      carrier: '' as CarrierId,
      activatedAt: 0,
      realNameVerified: false,
      profile: '' as UsageProfile,
      attested: false,
    });
  }

  set(key: number, entry: DirectoryEntry): void {
    let row = this.index.find(this.key, key);
    if (row < 0) {
      row = this.free.pop() ?? this.next++;
      if (row >= this.key.length) this.grow(Math.max(1024, this.key.length * 2));
      this.key[row] = key;
      this.index.insert(this.key, row);
    }
    this.carrier[row] = this.carriers.numberOf(entry.carrier);
    this.activatedAt[row] = entry.activatedAt;
    this.profile[row] = this.profiles.numberOf(entry.profile);
    this.flags[row] = (entry.realNameVerified ? REAL_NAME : 0) | (entry.attested ? ATTESTED : 0);
  }

  /** Every number with an entry, in row order. */
  keys(): number[] {
    const keys: number[] = [];
    for (let row = 0; row < this.next; row++) if (this.key[row] !== 0) keys.push(this.key[row]);
    return keys;
  }

  /** An attested profile: a later directory record keeps it. */
  attest(key: number, profile: UsageProfile): void {
    const row = this.index.find(this.key, key);
    if (row < 0) return;
    this.profile[row] = this.profiles.numberOf(profile);
    this.flags[row] |= ATTESTED;
  }

  delete(key: number): void {
    const row = this.index.find(this.key, key);
    if (row < 0) return;
    this.index.remove(this.key, key);
    this.key[row] = 0;
    this.free.push(row);
  }

  /**
   * Writes the directory (see image.ts): the carriers and profiles in the order they were numbered, then the columns
   * up to the last row ever used, free rows included; the index is filed afresh on reading.
   */
  writeImage(w: ImageWriter): void {
    w.strings(this.carriers.values);
    w.strings(this.profiles.values);
    w.u32(this.key.length);
    w.u32(this.next);
    w.array(Int32Array.from(this.free));
    for (const column of this.columns()) w.array(column.subarray(0, this.next));
  }

  /** Loads what writeImage wrote into this directory, new (no entry yet). */
  readImage(r: ImageReader): void {
    if (this.next !== 0) throw new Error('image: a directory loads only while it is empty');
    for (const carrier of r.strings()) this.carriers.numberOf(carrier as CarrierId);
    for (const profile of r.strings()) this.profiles.numberOf(profile as UsageProfile);
    const capacity = r.u32();
    this.next = r.u32();
    for (const row of r.array((n) => new Int32Array(n))) this.free.push(row);
    if (capacity > 0) this.grow(capacity);
    for (const column of this.columns()) r.into(column, this.next);
    this.index.refile(this.key, capacity);
  }

  /** The columns, in the image's order (read anew: they grow). */
  private columns(): (Float64Array | Uint8Array)[] {
    return [this.key, this.activatedAt, this.carrier, this.profile, this.flags];
  }

  private grow(capacity: number): void {
    const column = <T extends Float64Array | Uint8Array>(old: T, type: GrowableArrayType<T>): T =>
      grown(old, type, capacity);
    this.key = column(this.key, Float64Array);
    this.activatedAt = column(this.activatedAt, Float64Array);
    this.carrier = column(this.carrier, Uint8Array);
    this.profile = column(this.profile, Uint8Array);
    this.flags = column(this.flags, Uint8Array);
    this.index.reserve(this.key, capacity);
  }
}
