// Bound once: a global looked up per call costs far more inside a vm context (as under jest) than the hash itself.
const imul = Math.imul;
const { isInteger, isSafeInteger } = Number;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * Which partition of a carrier's event log (and so which shard) owns a phone number.
 *
 * Part of the on-disk contract: every event already in the log was routed by this function, and each shard's snapshot
 * holds only the numbers of its partition. Changing the hash, or the partition count, is a re-shard (a new stream,
 * snapshots rebuilt), never an edit. Other clients (a Kafka adapter, a tool in another language) reproduce it exactly:
 *
 *   partition = MurmurHash3_x86_32(key as 8 bytes, little-endian, unsigned 64-bit; seed 0) mod partitions
 *
 * `key` is `msisdnKey(msisdn)` of @app/domain: the E.164 digits as a number (at most 15 digits, so an exact integer).
 * MurmurHash3 rather than `key % partitions`: consecutive numbers are handed out in blocks (a company's lines, a batch
 * of SIM cards) and must spread over the shards; a real hash does that for any partition count, not only for primes.
 */
export function partitionOf(key: number, partitions: number): number {
  if (!isSafeInteger(key) || key < 0) throw new RangeError(`partitionOf: key ${key} is not a phone number key`);
  if (!isInteger(partitions) || partitions < 1 || partitions > 0xffff_ffff)
    throw new RangeError(`partitionOf: ${partitions} partitions`);
  return murmurKey(key) % partitions;
}

/** MurmurHash3_x86_32 of the key's 8 little-endian bytes (two 4-byte blocks, no tail), seed 0, as an unsigned int. */
export function murmurKey(key: number): number {
  const low = key % 0x1_0000_0000;
  const high = (key - low) / 0x1_0000_0000;
  let hash = mixBlock(0, low);
  hash = mixBlock(hash, high);
  hash ^= 8; // the length in bytes
  hash ^= hash >>> 16;
  hash = imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function mixBlock(hash: number, block: number): number {
  let k = imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = imul(k, C2);
  hash ^= k;
  hash = (hash << 13) | (hash >>> 19);
  return (imul(hash, 5) + 0xe6546b64) | 0;
}
