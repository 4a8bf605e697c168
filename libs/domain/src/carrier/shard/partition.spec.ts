import { murmurKey, partitionOf } from './partition';

/** MurmurHash3_x86_32 as published (byte by byte, with a tail): what another client would write from the contract. */
function murmur3(bytes: Uint8Array, seed: number): number {
  const mix = (k: number) => Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  let hash = seed | 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    hash ^= mix(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    hash = (Math.imul(rotl(hash, 13), 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let i = bytes.length - 1; i >= blocks; i--) tail = (tail << 8) | bytes[i];
  if (bytes.length > blocks) hash ^= mix(tail);
  hash ^= bytes.length;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

function littleEndian64(key: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(key), true);
  return bytes;
}

/** Deterministic random phone number keys (xorshift), so a failure can be replayed. */
function randomKeys(count: number, seed = 0x2545f491): Float64Array {
  const keys = new Float64Array(count);
  let state = seed;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  for (let i = 0; i < count; i++) keys[i] = (next() % 1_000_000) * 1_000_000_000 + (next() % 1_000_000_000);
  return keys;
}

function sequentialKeys(first: number, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => first + i);
}

/** For each partition count, the largest relative distance of a partition's share from an even one. */
function skews(keys: Float64Array, partitionCounts: number[]): number[] {
  return partitionCounts.map((partitions) => {
    const counts = new Float64Array(partitions);
    for (let i = 0; i < keys.length; i++) counts[partitionOf(keys[i], partitions)]++;
    const even = keys.length / partitions;
    return Math.max(...Array.from(counts, (count) => Math.abs(count - even) / even));
  });
}

describe('partitionOf', () => {
  it('is MurmurHash3_x86_32 of the key as 8 little-endian bytes, as the contract says', () => {
    // Published test vectors pin the reference implementation above.
    const text = (s: string) => new TextEncoder().encode(s);
    expect(murmur3(text(''), 0)).toBe(0);
    expect(murmur3(text(''), 1)).toBe(0x514e28b7);
    expect(murmur3(Uint8Array.of(0x21, 0x43, 0x65, 0x87), 0)).toBe(0xf55b516b);
    expect(murmur3(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0)).toBe(0x76293b50);
    expect(murmur3(text('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
    expect(murmur3(text('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);

    const edges = [0, 1, 0xffff_ffff, 0x1_0000_0000, 999_999_999_999_999, Number.MAX_SAFE_INTEGER];
    for (const key of [...edges, ...randomKeys(10_000)]) expect(murmurKey(key)).toBe(murmur3(littleEndian64(key), 0));
  });

  it('keeps the partitions every log already holds (golden values: a change here is a re-shard)', () => {
    const golden: Array<[key: number, of7: number, of16: number, of64: number]> = [
      [0, 1, 12, 60],
      [1, 5, 4, 4],
      [8613800138000, 3, 12, 60],
      [8613912345678, 2, 9, 57],
      [8618612345678, 0, 13, 61],
      [85291234567, 2, 5, 5],
      [447700900123, 3, 10, 26],
      [999999999999999, 6, 14, 46],
    ];
    for (const [key, of7, of16, of64] of golden)
      expect([partitionOf(key, 7), partitionOf(key, 16), partitionOf(key, 64)]).toEqual([of7, of16, of64]);
    expect(murmurKey(8613800138000)).toBe(0x9be7477c);
  });

  // An even share is 15,625 numbers of 64; chance alone moves one by about 1%.
  it('spreads a million sequential numbers evenly over 7, 16 and 64 partitions', () => {
    for (const skew of skews(sequentialKeys(8613800000000, 1_000_000), [7, 16, 64])) expect(skew).toBeLessThan(0.03);
  });

  it('spreads a million random numbers evenly over 7, 16 and 64 partitions', () => {
    for (const skew of skews(randomKeys(1_000_000), [7, 16, 64])) expect(skew).toBeLessThan(0.03);
  });

  it('puts everything in the one partition there is', () => {
    expect(partitionOf(8613800138000, 1)).toBe(0);
  });

  it('refuses what is not a phone number key or a partition count', () => {
    for (const key of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => partitionOf(key, 16)).toThrow(RangeError);
    for (const partitions of [0, -3, 2.5, Number.NaN]) expect(() => partitionOf(1, partitions)).toThrow(RangeError);
  });
});
