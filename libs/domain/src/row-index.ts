/**
 * Finds a number's row in columnar state (typed arrays indexed by row, the
 * number's key in a Float64Array column, 0 for a free row): open addressing
 * over an Int32Array of rows, at most half full, so an entry costs 4 to 16
 * bytes and no object. Keys are msisdnKey values: positive safe integers.
 */
export class RowIndex {
  private table = new Int32Array(16).fill(-1);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** The row of `key`, -1 when it has none. */
  find(keys: Float64Array, key: number): number {
    const mask = this.table.length - 1;
    for (let i = home(key, mask); ; i = (i + 1) & mask) {
      const row = this.table[i];
      if (row < 0 || keys[row] === key) return row;
    }
  }

  /** Files `row`, whose key (not yet filed) is `keys[row]`. */
  insert(keys: Float64Array, row: number): void {
    const key = keys[row];
    if (!(key > 0) || !Number.isSafeInteger(key)) throw new RangeError(`keys are positive safe integers, got ${key}`);
    // A rebuild files every row with a key, this one too.
    if (++this.count * 2 > this.table.length) this.rebuild(keys, this.table.length * 2);
    else this.place(keys, row);
  }

  /** Unfiles the row of `key` (filed): its key column is the caller's to clear. */
  remove(keys: Float64Array, key: number): void {
    const mask = this.table.length - 1;
    let i = home(key, mask);
    while (keys[this.table[i]] !== key) i = (i + 1) & mask;
    // Backward-shift deletion keeps every probe chain unbroken.
    let hole = i;
    for (let j = (i + 1) & mask; this.table[j] >= 0; j = (j + 1) & mask) {
      const at = home(keys[this.table[j]], mask);
      if (((j - at) & mask) >= ((j - hole) & mask)) {
        this.table[hole] = this.table[j];
        hole = j;
      }
    }
    this.table[hole] = -1;
    this.count--;
  }

  /** Room for `rows` rows without a rebuild; refiles every row of `keys` with a key. */
  reserve(keys: Float64Array, rows: number): void {
    if (this.table.length < rows * 2) this.rebuild(keys, rows * 2);
  }

  /** Files afresh every row of `keys` with a key, with room for `rows` rows (a column loaded whole, from an image). */
  refile(keys: Float64Array, rows: number): void {
    let count = 0;
    for (let row = 0; row < keys.length; row++) if (keys[row] !== 0) count++;
    this.count = count;
    this.rebuild(keys, Math.max(rows, count) * 2);
  }

  private rebuild(keys: Float64Array, size: number): void {
    let capacity = 16;
    while (capacity < size) capacity *= 2;
    this.table = new Int32Array(capacity).fill(-1);
    for (let row = 0; row < keys.length; row++) if (keys[row] !== 0) this.place(keys, row);
  }

  private place(keys: Float64Array, row: number): void {
    const mask = this.table.length - 1;
    let i = home(keys[row], mask);
    while (this.table[i] >= 0) i = (i + 1) & mask;
    this.table[i] = row;
  }
}

function home(key: number, mask: number): number {
  const low = (key % 4_294_967_296) | 0;
  const high = (key / 4_294_967_296) | 0;
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & mask;
}
