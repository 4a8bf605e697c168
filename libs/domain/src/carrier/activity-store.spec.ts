import {
  ActivityStore,
  BASE_COUNTERS,
  bytesOfNumber,
  DEFAULT_LAYOUT,
  OUT_ANSWERED,
  OUT_HIGH_RISK,
  OUT_NEW_CONTACT,
  OUT_SMS,
  Window,
} from './activity-store';
import { ImageReader, ImageWriter } from './image';

/** Pseudo-random whole numbers below `n`, the same on every run. */
function randomFrom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
}

const WINDOWS = [Window.Min10, Window.Min90, Window.Hours24];

describe(ActivityStore.name, () => {
  it('counts the windows of a light number from its ring exactly as its own buckets would', () => {
    // Three counters of their own do not fit an entry's flags: that store keeps buckets for every number.
    const light = new ActivityStore(DEFAULT_LAYOUT, BASE_COUNTERS + 2, 16);
    const buckets = new ActivityStore(DEFAULT_LAYOUT, BASE_COUNTERS + 3, 16);
    const random = randomFrom(7);
    const numbers = 40;
    let now = 1_000_000;
    const a = new Float64Array(BASE_COUNTERS + 2);
    const b = new Float64Array(BASE_COUNTERS + 3);
    const differences: string[] = [];
    for (let step = 0; step < 20_000; step++) {
      // Bursts and long silences, so that rings fill, wrap, outgrow themselves and go quiet again.
      now += random(50) === 0 ? random(30_000) : random(60);
      // Half the calls come from two busy numbers, the rest from many light ones.
      const key = 8613800000000 + (random(2) === 0 ? random(2) : random(numbers));
      const flags = [0, OUT_SMS, OUT_ANSWERED, OUT_NEW_CONTACT, OUT_ANSWERED | OUT_NEW_CONTACT][random(5)];
      const recorded = random(4);
      // Now and then one late (out of time order).
      const when = random(30) === 0 ? now - random(900) : now;
      for (const store of [light, buckets]) {
        const slot = store.ensure(key, when);
        store.pushOutbound(slot, when, 8613900000000 + random(1000), random(300), flags, -1, recorded);
      }
      const asked = 8613800000000 + random(numbers);
      // Measured now, and now and then at a time before the newest call (an explanation of the past).
      const at = random(20) === 0 ? now - random(200_000) : now + random(4_000);
      const all = [new Float64Array(a.length), new Float64Array(a.length), new Float64Array(a.length)];
      light.windowSums(light.slotOf(asked), at, all[0], all[1], all[2]);
      for (const window of WINDOWS) {
        light.sums(light.slotOf(asked), at, window, a);
        buckets.sums(buckets.slotOf(asked), at, window, b);
        for (let c = 0; c < a.length; c++) {
          if (a[c] !== b[c]) differences.push(`${step} ${window} ${c}`);
          if (all[window][c] !== b[c]) differences.push(`${step} ${window} ${c} (all windows at once)`);
        }
      }
    }
    expect(light.bytes).toBeLessThan(buckets.bytes);
    expect(differences).toEqual([]);
  });

  it('keeps every remembered entry as its rings grow, and gives blocks back on eviction', () => {
    const store = new ActivityStore(DEFAULT_LAYOUT, BASE_COUNTERS, 16);
    const slot = store.ensure(8613800000001, 100);
    for (let i = 0; i < 20; i++) {
      // From the fifth on, at high-risk cells: from then on its entries keep their cell.
      store.pushOutbound(slot, 100 + i, 8613900000000 + i, 10, i >= 5 ? OUT_HIGH_RISK : 0, 7000 + i);
      store.noteInbound(slot, 8613700000000 + i, 100 + i);
      store.noteReport(slot, 8613600000000 + i, 100 + i, i % 2 === 0);
    }
    expect(store.outCount[slot]).toBe(20);
    for (let k = 0; k < 20; k++) expect(store.outPeerOf(store.outboundIndex(slot, k))).toBe(8613900000019 - k);
    for (let k = 0; k < 15; k++) expect(store.cellOf(slot, store.outboundIndex(slot, k))).toBe(7019 - k);
    expect(store.inCount[slot]).toBe(DEFAULT_LAYOUT.inbound);
    expect(store.heardFrom(slot, 8613700000019, 0)).toBe(true);
    expect(store.heardFrom(slot, 8613700000000, 0)).toBe(false);
    expect(store.evict(1_000)).toBe(1);
    expect(store.active).toBe(0);
    const again = store.ensure(8613800000002, 2_000);
    expect(store.outCount[again]).toBe(0);
    expect(store.slotOf(8613800000001)).toBe(-1);
  });

  it('keeps its peers exactly, fifteen digits too, and tells apart peers alike but in their high bits', () => {
    const store = new ActivityStore(DEFAULT_LAYOUT, BASE_COUNTERS, 16);
    const slot = store.ensure(8613800000001, 100);
    // Past 2^48 (15 digits), and two numbers with the same low 32 bits.
    const peers = [467123456789012, 999999999999999, 8613900000000, 8613900000000 + 4_294_967_296, 1];
    peers.forEach((peer, i) => {
      store.pushOutbound(slot, 100 + i, peer, 10, 0, -1);
      store.noteInbound(slot, peer, 100 + i);
    });
    peers.forEach((peer, i) => {
      expect(store.outPeerOf(store.outboundIndex(slot, peers.length - 1 - i))).toBe(peer);
      expect(store.findOutbound(slot, peer, 0)).toBe(store.outboundIndex(slot, peers.length - 1 - i));
      expect(store.heardFrom(slot, peer, 100 + i)).toBe(true);
    });
    expect(store.findOutbound(slot, 8613900000000 + 2 * 4_294_967_296, 0)).toBe(-1);
    expect(store.heardFrom(slot, 467123456789012 + 4_294_967_296, 0)).toBe(false);
    store.noteInbound(slot, 999999999999999, 500);
    expect(store.inCount[slot]).toBe(peers.length);
    expect(store.heardFrom(slot, 999999999999999, 500)).toBe(true);
  });

  it('widens its peers past 256 ranges of numbers, keeping every one exact, in its image too', () => {
    const store = new ActivityStore(DEFAULT_LAYOUT, BASE_COUNTERS, 16);
    const slot = store.ensure(8613800000001, 100);
    const peer = (r: number) => r * 4_294_967_296 + 1_000 + r;
    // Remembered before the widening: kept through it.
    const early = store.ensure(8613800000002, 100);
    store.pushOutbound(early, 100, peer(5), 10, 0, -1);
    store.noteInbound(early, peer(7), 100);
    for (let r = 0; r < 300; r++) {
      store.pushOutbound(slot, 100 + r, peer(r), 10, 0, -1);
      store.noteInbound(slot, peer(r), 100 + r);
    }
    const check = (s: ActivityStore, at: number) => {
      for (let k = 0; k < DEFAULT_LAYOUT.outbound; k++) expect(s.outPeerOf(s.outboundIndex(at, k))).toBe(peer(299 - k));
      for (let r = 300 - DEFAULT_LAYOUT.inbound; r < 300; r++) expect(s.heardFrom(at, peer(r), 0)).toBe(true);
      expect(s.heardFrom(at, peer(300 - DEFAULT_LAYOUT.inbound - 1), 0)).toBe(false);
      expect(s.findOutbound(at, peer(299) + 4_294_967_296, 0)).toBe(-1);
      const before = s.slotOf(8613800000002);
      expect([s.outPeerOf(s.outboundIndex(before, 0)), s.heardFrom(before, peer(7), 0)]).toEqual([peer(5), true]);
    };
    check(store, slot);
    const w = new ImageWriter(1 << 16);
    store.writeImage(w);
    const loaded = new ActivityStore(DEFAULT_LAYOUT, BASE_COUNTERS, 16);
    const r = new ImageReader(w.finish());
    loaded.readImage(r);
    r.end();
    check(loaded, loaded.slotOf(8613800000001));
  });

  it('gives a number an extra only for what few need, and hands it on clean after eviction', () => {
    const store = new ActivityStore(DEFAULT_LAYOUT, BASE_COUNTERS, 16);
    const light = store.ensure(8613800000001, 100);
    store.pushOutbound(light, 100, 8613900000000, 10, 0, -1);
    store.noteInbound(light, 8613900000001, 100);
    expect(store.extra[light]).toBe(-1);
    const reported = store.ensure(8613800000002, 100);
    store.noteReport(reported, 8613600000000, 100, true);
    store.noteSighting(reported, 5, 100);
    store.noteDwell(reported, 5, 100, 600);
    const x = store.extra[reported];
    expect(x).toBeGreaterThanOrEqual(0);
    expect([store.reportCount[x], store.sightingCount[x], store.dwellSinceOf(reported)]).toEqual([1, 1, 100]);
    const before = store.snapshot(8613800000002)!;
    store.forget(8613800000002);
    expect([store.reportCount[x], store.sightingCount[x]]).toEqual([0, 0]);
    expect(store.restore(before)).toBe(true);
    expect([store.reportCount[x], store.sightingCount[x]]).toEqual([1, 1]);
    store.ensure(8613800000001, 5_000);
    expect(store.evict(1_000)).toBe(1);
    const next = store.ensure(8613800000003, 6_000);
    store.noteReport(next, 8613600000001, 6_000, false);
    expect(store.extra[next]).toBe(x);
    expect([store.reportCount[x], store.sightingCount[x], store.sightingBase[x]]).toEqual([1, 0, -1]);
  });

  it('costs a light number a fraction of a busy one', () => {
    const light = bytesOfNumber(DEFAULT_LAYOUT, 5, {
      outbound: 4,
      inbound: 4,
      reports: 0,
      sightings: false,
      cells: false,
      buckets: false,
    });
    expect(light).toBeLessThan(250);
  });

  it("copies out a number's contacts: inbound at their places, outbound newest first, peers whole", () => {
    const store = new ActivityStore({ outbound: 4, inbound: 3, reports: 1, sightings: 1 }, BASE_COUNTERS, 16);
    const slot = store.ensure(8613800000001, 100);
    const far = 999_999_999_999_999;
    for (let i = 0; i < 6; i++) store.pushOutbound(slot, 100 + i, far - i, 10, 0, -1);
    for (const [peer, at] of [
      [far, 7],
      [4_294_967_296 + 5, 3],
      [5, 9],
      [far - 1, 8],
    ])
      store.noteInbound(slot, peer, at);
    const peers = new Float64Array(4);
    const times = new Uint32Array(4);
    expect(store.outboundEntries(slot, peers, times)).toBe(4);
    expect([Array.from(peers), Array.from(times)]).toEqual([
      [far - 5, far - 4, far - 3, far - 2],
      [105, 104, 103, 102],
    ]);
    // The oldest (4_294_967_301, at 3) made room at its own place.
    expect(store.inboundEntries(slot, peers, times)).toBe(3);
    expect([Array.from(peers.subarray(0, 3)), Array.from(times.subarray(0, 3))]).toEqual([
      [far, far - 1, 5],
      [7, 8, 9],
    ]);
  });
});
