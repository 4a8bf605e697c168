/**
 * The byte codec of images (AnalysisEngine.saveImage, EventGate.saveImage): a
 * writer that fills chunks of a bounded size, and a reader over them. Numbers
 * are little-endian; a typed array is its element count and then its bytes,
 * copied in bulk (the activity store's columns are hundreds of MB: no number
 * is written one by one there). Typed arrays keep the platform's byte order,
 * which is little-endian wherever Node runs (checked below), so an image is
 * the same bytes on every host.
 *
 * Each class writes and reads its own part (writeImage / readImage beside its
 * fields), so a change of one class's layout touches that class alone (and the
 * format version of the image it is part of).
 */
import { hasLoneSurrogate } from '../text';

/** The largest chunk an image is cut into by default: what one message or blob write carries comfortably. */
export const IMAGE_CHUNK_BYTES = 16 * 1024 * 1024;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
  throw new Error('images: typed arrays are copied as little-endian bytes, and this platform is big-endian');

/** The typed arrays images carry. */
export type ImageArray = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/** The smallest buffer a writer starts a chunk with (it doubles as it fills, up to the chunk size). */
const FIRST_BUFFER = 64 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
/** The most characters of strings (see ImageWriter.strings) joined in one text, unless one string is longer. */
const STRING_PIECE = 4 * 1024 * 1024;
const UTF8 = 0;
const UTF16 = 1;

function bytesOf(array: ImageArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * Writes an image into chunks of at most `chunkBytes` bytes. A number is never
 * split between two chunks (a chunk may end a few bytes short of the limit);
 * the reader does not rely on that, so chunks may be joined or cut anew.
 */
export class ImageWriter {
  private readonly chunks: Uint8Array[] = [];
  private buffer: Uint8Array;
  private view: DataView;
  private at = 0;

  constructor(private readonly chunkBytes = IMAGE_CHUNK_BYTES) {
    if (!(Number.isSafeInteger(chunkBytes) && chunkBytes >= 16))
      throw new RangeError(`image chunks are at least 16 bytes, got ${chunkBytes}`);
    this.buffer = new Uint8Array(Math.min(chunkBytes, FIRST_BUFFER));
    this.view = new DataView(this.buffer.buffer);
  }

  u8(value: number): void {
    this.room(1);
    this.view.setUint8(this.at, value);
    this.at += 1;
  }

  u32(value: number): void {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff))
      throw new RangeError(`image: ${value} is not a 32-bit count`);
    this.room(4);
    this.view.setUint32(this.at, value, true);
    this.at += 4;
  }

  /** Any number, times included (event-time ms are past int32; ±Infinity and NaN stay). */
  f64(value: number): void {
    this.room(8);
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }

  /** A string, exactly: as UTF-8, or as its UTF-16 code units when it holds a lone surrogate. */
  string(value: string): void {
    if (hasLoneSurrogate(value)) {
      const units = new Uint16Array(value.length);
      for (let i = 0; i < value.length; i++) units[i] = value.charCodeAt(i);
      this.u8(UTF16);
      this.array(units);
      return;
    }
    const bytes = encoder.encode(value);
    this.u8(UTF8);
    this.u32(bytes.length);
    this.bytes(bytes);
  }

  /**
   * Strings at once: the length of each, then their texts joined, a few million characters a piece (ids by the
   * million cost no encode each, and no piece nears the longest string a JavaScript engine makes).
   */
  strings(values: readonly string[]): void {
    this.array(Uint32Array.from(values, (value) => value.length));
    const pieces: number[] = [0];
    for (let i = 0, chars = 0; i < values.length; i++) {
      if (chars > 0 && chars + values[i].length > STRING_PIECE) {
        pieces.push(i);
        chars = 0;
      }
      chars += values[i].length;
    }
    pieces.push(values.length);
    this.u32(pieces.length - 1);
    for (let p = 1; p < pieces.length; p++) this.string(values.slice(pieces[p - 1], pieces[p]).join(''));
  }

  /** A typed array: its length, then its bytes in bulk (pass a subarray to write its used part). */
  array(array: ImageArray): void {
    this.u32(array.length);
    this.bytes(bytesOf(array));
  }

  /** The chunks written; the writer is done with. */
  finish(): Uint8Array[] {
    this.seal();
    return this.chunks;
  }

  private bytes(source: Uint8Array): void {
    let from = 0;
    while (from < source.length) {
      if (this.at === this.buffer.length) this.enlarge(source.length - from);
      const n = Math.min(source.length - from, this.buffer.length - this.at);
      this.buffer.set(source.subarray(from, from + n), this.at);
      this.at += n;
      from += n;
    }
  }

  /** `n` contiguous bytes in the current chunk. */
  private room(n: number): void {
    if (this.at + n > this.buffer.length) this.enlarge(n);
  }

  /** A bigger buffer for the current chunk, or, at the limit, the chunk sealed and a new one started. */
  private enlarge(wanted: number): void {
    if (this.buffer.length < this.chunkBytes) {
      const size = Math.min(this.chunkBytes, Math.max(this.buffer.length * 2, this.at + wanted));
      if (size >= this.at + Math.min(wanted, 8)) {
        const next = new Uint8Array(size);
        next.set(this.buffer.subarray(0, this.at));
        this.buffer = next;
        this.view = new DataView(next.buffer);
        return;
      }
    }
    this.seal();
    // A full chunk sealed: the image is a big one, the next chunk starts at the full size.
    this.buffer = new Uint8Array(this.chunkBytes);
    this.view = new DataView(this.buffer.buffer);
  }

  private seal(): void {
    if (this.at === 0) return;
    this.chunks.push(this.at === this.buffer.length ? this.buffer : this.buffer.slice(0, this.at));
    this.at = 0;
  }
}

/** Reads what an ImageWriter wrote, from its chunks (or the same bytes cut otherwise). */
export class ImageReader {
  private chunk = -1;
  private current: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.current.buffer);
  private at = 0;
  /** A number split between two chunks is gathered here. */
  private readonly scratch = new Uint8Array(8);
  private readonly scratchView = new DataView(this.scratch.buffer);

  constructor(private readonly chunks: readonly Uint8Array[]) {}

  u8(): number {
    const at = this.fixed(1);
    return at < 0 ? this.scratchView.getUint8(0) : this.view.getUint8(at);
  }

  u32(): number {
    const at = this.fixed(4);
    return at < 0 ? this.scratchView.getUint32(0, true) : this.view.getUint32(at, true);
  }

  f64(): number {
    const at = this.fixed(8);
    return at < 0 ? this.scratchView.getFloat64(0, true) : this.view.getFloat64(at, true);
  }

  string(): string {
    const encoding = this.u8();
    if (encoding === UTF16) {
      const units = this.array((n) => new Uint16Array(n));
      let text = '';
      // In slices: a call takes only so many arguments.
      for (let at = 0; at < units.length; at += 8192) text += String.fromCharCode(...units.subarray(at, at + 8192));
      return text;
    }
    if (encoding !== UTF8) throw new Error(`image: a string in encoding ${encoding}`);
    const bytes = new Uint8Array(this.u32());
    this.copy(bytes);
    return decoder.decode(bytes);
  }

  strings(): string[] {
    const lengths = this.array((n) => new Uint32Array(n));
    const out: string[] = [];
    for (let pieces = this.u32(); pieces > 0; pieces--) {
      const text = this.string();
      let at = 0;
      while (out.length < lengths.length && at + lengths[out.length] <= text.length) {
        out.push(text.slice(at, at + lengths[out.length]));
        at += lengths[out.length - 1];
      }
      if (at !== text.length) throw new Error('image: strings do not add up to their texts');
    }
    if (out.length !== lengths.length) throw new Error('image: fewer strings than their lengths');
    return out;
  }

  /** A typed array, in a new one `make` gives of its length or `length`, whichever is more (the rest zero). */
  array<T extends ImageArray>(make: (length: number) => T, length = 0): T {
    const n = this.u32();
    const array = make(Math.max(n, length));
    this.copy(bytesOf(array.subarray(0, n)));
    return array;
  }

  /** A typed array of `expected` elements, into the start of `target` (an array made for it). */
  into(target: ImageArray, expected: number): void {
    const n = this.u32();
    if (n !== expected || n > target.length)
      throw new Error(`image: an array of ${n} where ${expected} (room for ${target.length}) were expected`);
    this.copy(bytesOf(target.subarray(0, n)));
  }

  /** Checks that the image was read to its end (a shorter read is a layout mismatch). */
  end(): void {
    let left = this.current.length - this.at;
    for (let c = this.chunk + 1; c < this.chunks.length; c++) left += this.chunks[c].length;
    if (left !== 0) throw new Error(`image: ${left} bytes left unread`);
  }

  /** Where `n` bytes start in the current chunk's view, or -1 when they were gathered into the scratch. */
  private fixed(n: number): number {
    while (this.at === this.current.length) this.nextChunk();
    if (this.at + n <= this.current.length) {
      const at = this.at;
      this.at += n;
      return at;
    }
    this.copy(this.scratch.subarray(0, n));
    return -1;
  }

  private copy(into: Uint8Array): void {
    let filled = 0;
    while (filled < into.length) {
      if (this.at === this.current.length) this.nextChunk();
      const n = Math.min(into.length - filled, this.current.length - this.at);
      into.set(this.current.subarray(this.at, this.at + n), filled);
      this.at += n;
      filled += n;
    }
  }

  private nextChunk(): void {
    if (++this.chunk >= this.chunks.length) throw new Error('image: truncated');
    this.current = this.chunks[this.chunk];
    this.view = new DataView(this.current.buffer, this.current.byteOffset, this.current.byteLength);
    this.at = 0;
  }
}
