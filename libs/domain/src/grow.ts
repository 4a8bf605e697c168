/**
 * Typed arrays that grow in place. Each is a view of a resizable ArrayBuffer that reserves GROWTH_RESERVE times
 * what it holds: address space only, its pages are taken as it grows. Growing within the reserve copies nothing, so
 * no old copy sits beside the new one while it is copied, and no freed copy stays behind in the C allocator's heap
 * (it keeps freed blocks under its mmap threshold for reuse: tens of bytes a subscriber at a million). Past its
 * reserve an array is copied into a new buffer reserving in proportion again, so a small store reserves little and
 * hundreds of them can live side by side.
 */
export const GROWTH_RESERVE = 8;

/** The smallest reserve, in bytes (a page or so: tiny arrays need not reserve less). */
const MIN_RESERVE_BYTES = 4096;

export type GrowableArray = Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array;

export interface GrowableArrayType<T extends GrowableArray> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** What ES2024 adds to ArrayBuffer (this project's lib is ES2023). */
interface Resizable {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}

const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ArrayBuffer;

/**
 * An array of `length` elements of `type` holding `old`'s first elements (zeros after them): `old`'s own memory when
 * it grows within its reserve, else a copy. `old` stays valid (its length is fixed), but is not to be written after.
 */
export function grown<T extends GrowableArray>(old: T | undefined, type: GrowableArrayType<T>, length: number): T {
  const bytes = length * type.BYTES_PER_ELEMENT;
  const buffer = old?.buffer as (ArrayBuffer & Resizable) | undefined;
  if (old !== undefined && buffer?.resizable === true && length >= old.length && bytes <= buffer.maxByteLength) {
    if (buffer.byteLength < bytes) buffer.resize(bytes);
    return new type(buffer, 0, length);
  }
  const next = new type(new Resizable(bytes, { maxByteLength: reserveFor(bytes) }), 0, length);
  if (old !== undefined) next.set(old.length > length ? old.subarray(0, length) : old);
  return next;
}

/** A new zeroed array of `length` elements of `type`, able to grow in place (see grown). */
export function growable<T extends GrowableArray>(type: GrowableArrayType<T>, length: number): T {
  return grown(undefined, type, length);
}

function reserveFor(bytes: number): number {
  return Math.max(bytes, MIN_RESERVE_BYTES) * GROWTH_RESERVE;
}
