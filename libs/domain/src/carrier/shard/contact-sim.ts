/**
 * A shard answers the other shards about its own numbers' contact memory as it stands at each event of a round,
 * before it processes the round. ContactSim plays the round's changes to that memory (slots, the inbound ring, the
 * outbound ring's peers and times) on copies, taken from the store on a number's first change, and leaves the store
 * as it was. It follows ActivityStore's rules exactly: which inbound entry makes room, the outbound ring's order and
 * findOutbound's stop at the first entry older than asked, and a time kept as a u32.
 */
import type { ActivityStore } from '../activity-store';

const TWO_32 = 4_294_967_296;

/** The number a ring gives back for `peer`: its high part and its low 32 bits (the store keeps nothing else). */
function asKept(peer: number): number {
  return Math.floor(peer / TWO_32) * TWO_32 + (peer >>> 0);
}

/** One number's contact memory as the round has changed it so far. */
class ContactMemory {
  hasSlot = false;
  /** Inbound contacts at the store's positions (the first with the smallest time makes room). */
  readonly inPeers: Float64Array;
  readonly inAt: Uint32Array;
  inCount = 0;
  /** Outbound entries in a ring of layout.outbound: the k-th newest at (outHead - 1 - k) modulo its size. */
  readonly outPeers: Float64Array;
  readonly outAt: Uint32Array;
  outHead = 0;
  outCount = 0;

  constructor(inbound: number, outbound: number) {
    this.inPeers = new Float64Array(inbound);
    this.inAt = new Uint32Array(inbound);
    this.outPeers = new Float64Array(outbound);
    this.outAt = new Uint32Array(outbound);
  }
}

/** What one round does to the contact memory of numbers of an ActivityStore, simulated without changing the store. */
export class ContactSim {
  private readonly inbound: number;
  private readonly outbound: number;
  /** The numbers changed this round; the memories are kept from round to round and reused. */
  private readonly changed = new Map<number, ContactMemory>();
  private readonly memories: ContactMemory[] = [];
  private used = 0;
  /** The store's outbound entries, newest first, on their way into a memory's ring. */
  private readonly newestPeers: Float64Array;
  private readonly newestAt: Uint32Array;

  constructor(private readonly store: ActivityStore) {
    this.inbound = store.layout.inbound;
    this.outbound = store.layout.outbound;
    this.newestPeers = new Float64Array(this.outbound);
    this.newestAt = new Uint32Array(this.outbound);
  }

  /** Starts a new round: everything simulated so far is dropped; numbers are read from the store again on first use. */
  reset(): void {
    this.changed.clear();
    this.used = 0;
  }

  /** Whether the number has a slot (store.slotOf(key) >= 0, or ensure() was simulated this round). */
  hasSlot(key: number): boolean {
    const memory = this.changed.get(key);
    return memory === undefined ? this.store.slotOf(key) >= 0 : memory.hasSlot;
  }

  /** As store.ensure(key, …): the number has a slot from now on (empty rings if it had none). */
  ensure(key: number): void {
    const memory = this.memoryOf(key);
    if (memory.hasSlot) return;
    if (!(key > 0) || !Number.isSafeInteger(key))
      throw new RangeError(`activity keys are positive safe integers, got ${key}`);
    memory.hasSlot = true;
  }

  /**
   * As store.noteInbound(slotOf(key), peer, atSec): a known peer's time is updated in place; otherwise appended while
   * below layout.inbound, else it replaces the first entry with the smallest time.
   */
  noteInbound(key: number, peer: number, atSec: number): void {
    const memory = this.slotted(key);
    const kept = asKept(peer);
    const { inPeers, inAt, inCount } = memory;
    let oldest = 0;
    for (let j = 0; j < inCount; j++) {
      if (inPeers[j] === kept) {
        inAt[j] = atSec;
        return;
      }
      if (inAt[j] < inAt[oldest]) oldest = j;
    }
    const j = inCount < this.inbound ? memory.inCount++ : oldest;
    inPeers[j] = kept;
    inAt[j] = atSec;
  }

  /** As store.pushOutbound(slotOf(key), atSec, peer, …): a FIFO of layout.outbound entries (duplicates allowed). */
  pushOutbound(key: number, peer: number, atSec: number): void {
    const memory = this.slotted(key);
    const head = memory.outHead;
    memory.outPeers[head] = asKept(peer);
    memory.outAt[head] = atSec;
    memory.outHead = (head + 1) % this.outbound;
    if (memory.outCount < this.outbound) memory.outCount++;
  }

  /** As store.forget(key): the outbound ring is emptied, the inbound ring kept. No-op without a slot. */
  forget(key: number): void {
    const memory = this.memoryOf(key);
    if (!memory.hasSlot) return;
    memory.outHead = 0;
    memory.outCount = 0;
  }

  /** As store.heardFrom(slotOf(key), peer, sinceSec); false without a slot. */
  heardFrom(key: number, peer: number, sinceSec: number): boolean {
    const memory = this.changed.get(key);
    if (memory === undefined) {
      const slot = this.store.slotOf(key);
      return slot >= 0 && this.store.heardFrom(slot, peer, sinceSec);
    }
    if (!memory.hasSlot) return false;
    const kept = asKept(peer);
    for (let j = 0; j < memory.inCount; j++) if (memory.inPeers[j] === kept) return memory.inAt[j] >= sinceSec;
    return false;
  }

  /**
   * As store.findOutbound(slotOf(key), peer, sinceSec) >= 0: newest first by position, it stops at the first entry
   * older than `sinceSec` even when an earlier one to `peer` is newer (times out of order). False without a slot.
   */
  foundOutbound(key: number, peer: number, sinceSec: number): boolean {
    const memory = this.changed.get(key);
    if (memory === undefined) {
      const slot = this.store.slotOf(key);
      return slot >= 0 && this.store.findOutbound(slot, peer, sinceSec) >= 0;
    }
    if (!memory.hasSlot) return false;
    const kept = asKept(peer);
    const size = this.outbound;
    for (let k = 0; k < memory.outCount; k++) {
      const i = (memory.outHead - 1 - k + size * 2) % size;
      if (memory.outAt[i] < sinceSec) return false;
      if (memory.outPeers[i] === kept) return true;
    }
    return false;
  }

  /** The number's memory, for a change that needs its slot (the store's methods take one). */
  private slotted(key: number): ContactMemory {
    const memory = this.memoryOf(key);
    if (!memory.hasSlot) throw new Error(`contact simulation: ${key} has no slot (ensure it first)`);
    return memory;
  }

  /** The number's memory as the round has changed it, copied from the store on first use. */
  private memoryOf(key: number): ContactMemory {
    let memory = this.changed.get(key);
    if (memory !== undefined) return memory;
    if (this.used === this.memories.length) this.memories.push(new ContactMemory(this.inbound, this.outbound));
    memory = this.memories[this.used++];
    memory.inCount = 0;
    memory.outHead = 0;
    memory.outCount = 0;
    const slot = this.store.slotOf(key);
    memory.hasSlot = slot >= 0;
    if (slot >= 0) {
      memory.inCount = this.store.inboundEntries(slot, memory.inPeers, memory.inAt);
      const count = this.store.outboundEntries(slot, this.newestPeers, this.newestAt);
      // Oldest at position 0, newest at count - 1: the head follows it.
      for (let k = 0; k < count; k++) {
        memory.outPeers[count - 1 - k] = this.newestPeers[k];
        memory.outAt[count - 1 - k] = this.newestAt[k];
      }
      memory.outCount = count;
      memory.outHead = count % this.outbound;
    }
    this.changed.set(key, memory);
    return memory;
  }
}
