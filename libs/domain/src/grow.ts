/**
 * Typed arrays that grow in place once they are big. An array of RESERVE_FROM_BYTES or more is a view of a resizable
 * ArrayBuffer that reserves GROWTH_RESERVE times what it holds: address space only, its pages are taken as it grows.
 * Growing within the reserve copies nothing, so no old copy sits beside the new one while it is copied, and no freed
 * copy stays behind in the C allocator's heap (it keeps freed blocks under its mmap threshold for reuse: tens of
 * bytes a subscriber at a million). Past its reserve an array is copied into a new buffer reserving in proportion
 * again. A smaller array is a plain one, copied as it grows: each resizable buffer is a mapping of its own, and a
 * process may hold only so many (vm.max_map_count, 65,530 by default: a thousand small engines with forty-odd
 * arrays each, all resizable, ran out of them).
 */
export const GROWTH_RESERVE = 8;

/** The size from which an array is resizable, in bytes (below it, copies are small and the allocator reuses them). */
export const RESERVE_FROM_BYTES = 256 * 1024;

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
 * it is resizable and grows within its reserve, else a copy (resizable from RESERVE_FROM_BYTES). `old` stays valid
 * (its length is fixed), but is not to be written after.
 */
export function grown<T extends GrowableArray>(old: T | undefined, type: GrowableArrayType<T>, length: number): T {
  const bytes = length * type.BYTES_PER_ELEMENT;
  const buffer = old?.buffer as (ArrayBuffer & Resizable) | undefined;
  if (old !== undefined && buffer?.resizable === true && length >= old.length && bytes <= buffer.maxByteLength) {
    if (buffer.byteLength < bytes) buffer.resize(bytes);
    return new type(buffer, 0, length);
  }
  const fresh =
    bytes < RESERVE_FROM_BYTES
      ? new ArrayBuffer(bytes)
      : new Resizable(bytes, { maxByteLength: bytes * GROWTH_RESERVE });
  const next = new type(fresh, 0, length);
  if (old !== undefined) next.set(old.length > length ? old.subarray(0, length) : old);
  return next;
}

/** A new zeroed array of `length` elements of `type`, able to grow (in place once it is big: see grown). */
export function growable<T extends GrowableArray>(type: GrowableArrayType<T>, length: number): T {
  return grown(undefined, type, length);
}
