import { AnalysisEngine, ENGINE_IMAGE_FORMAT, readImageHeader, type EngineOptions, type EngineResult } from './engine';
import { EventGate, GATE_IMAGE_FORMAT, type EventGateOptions } from './event-gate';
import type { CarrierEvent } from './events';
import { HOUR, MINUTE } from './fixtures/scenario';
import {
  HURRIED_POLICY,
  MISTUNED_POLICY,
  SERVICE_RUN_ANSWERS,
  ServiceRun,
  serviceRunEvents,
} from './fixtures/service-run';
import { ImageReader, ImageWriter } from './image';
import { applyCommand, type CommandResult } from './journal';
import { DEFAULT_POLICY_V3, DEFAULT_POLICY_V4, type PolicyDocument } from './policy';
import { ReasonCode } from './reasons';

const GATE: EventGateOptions = { latenessMs: 2 * HOUR, maxAheadMs: 5 * MINUTE };

const EVENTS: CarrierEvent[] = serviceRunEvents(23);

/**
 * What a service does around the engine, the same on every run (ServiceRun): admits events through the gate (retries
 * and late copies among them), and between events sends the entries its answers lead to. Every answer is logged;
 * `cut` replaces the engine and gate by ones restored from their images.
 */
class Service {
  readonly log: string[] = [];
  private engine: AnalysisEngine;
  private gate: EventGate;
  private readonly service = new ServiceRun(EVENTS);
  cuts = 0;

  constructor(
    private readonly options: EngineOptions,
    private readonly chunkBytes?: number,
  ) {
    this.engine = new AnalysisEngine(options);
    this.gate = new EventGate(GATE);
  }

  /**
   * Runs every event; cuts after the i-th when `cutAfter(i)`, after the first answer of each kind in `cutOn`, and
   * after every answer `cutEvery` accepts.
   */
  run(
    cutAfter: (i: number) => boolean = () => false,
    cutOn: ((r: EngineResult) => boolean)[] = [],
    cutEvery: (r: EngineResult) => boolean = () => false,
  ): void {
    const pending = [...cutOn];
    const answered = (result: CommandResult) => {
      this.log.push(JSON.stringify(result));
      if (result.evicted !== undefined) return;
      this.service.follow(result);
      const hit = pending.findIndex((test) => test(result));
      if (hit >= 0) pending.splice(hit, 1);
      if (hit >= 0 || cutEvery(result)) this.cut();
    };
    this.service.knownAtStart(this.engine, EVENTS);
    EVENTS.forEach((event, i) => {
      if (event.type !== 'subscriber') this.between(event.at, answered);
      this.admit(event, event.at + MINUTE, answered);
      // A retry of an event admitted before, and now and then one from hours ago.
      if (i % 61 === 0) this.admit(EVENTS[i >> 1], event.at + MINUTE, answered);
      if (i % 97 === 0 && event.type === 'call')
        this.admit({ ...event, id: `late${i}`, at: event.at - 3 * HOUR }, event.at + MINUTE, answered);
      if (cutAfter(i)) this.cut();
    });
    this.between(Number.POSITIVE_INFINITY, answered);
  }

  /** The engine's and gate's images now. */
  images(chunkBytes?: number): { engine: Uint8Array[]; gate: Uint8Array } {
    return { engine: this.engine.saveImage(chunkBytes), gate: this.gate.saveImage() };
  }

  private cut(): void {
    const before = this.images(this.chunkBytes);
    this.engine = AnalysisEngine.fromImage(this.options, before.engine);
    this.gate = EventGate.fromImage(GATE, before.gate);
    const after = this.images(this.chunkBytes);
    expect(Buffer.concat(after.engine).equals(Buffer.concat(before.engine))).toBe(true);
    expect(Buffer.from(after.gate).equals(Buffer.from(before.gate))).toBe(true);
    this.cuts++;
  }

  private admit(event: CarrierEvent, nowMs: number, answered: (result: CommandResult) => void): void {
    const verdict = this.gate.admit(event, nowMs);
    this.log.push(verdict);
    if (verdict === 'accept') answered(this.engine.process(event));
  }

  /** Sends what is due before `at`. */
  private between(at: number, answered: (result: CommandResult) => void): void {
    for (const entry of this.service.due(at)) {
      if (entry.kind === 'command') answered(applyCommand(this.engine, entry.command));
      else for (const event of entry.events) this.admit(event, entry.nowMs, answered);
    }
  }
}

/**
 * Each run's policies, and how many cuts it makes at least: three, one after the first answer of each kind it gives,
 * and one after each decided review.
 */
const CONFIGS: [string, EngineOptions, number][] = [
  // default@4 suspends none of this population: no review is asked for, none decided.
  ['default@4 with shadow default@3', { policy: DEFAULT_POLICY_V4, shadow: DEFAULT_POLICY_V3 }, 3 + 4],
  [
    'a hurried default@4 with a mis-tuned shadow',
    { policy: HURRIED_POLICY, shadow: MISTUNED_POLICY, carrier: 'CTCC' },
    3 + 5 + 1,
  ],
];

describe('engine images', () => {
  describe.each(CONFIGS)('under %s', (_name, options, cuts) => {
    const straight = new Service(options);
    straight.run();

    it('a run cut at several points and restored from images decides exactly as one run straight through', () => {
      const n = EVENTS.length;
      const at = new Set([Math.floor(n * 0.1), Math.floor(n * 0.5), Math.floor(n * 0.9)]);
      const firstOf = [
        (r: EngineResult) => r.decisions.length > 0,
        (r: EngineResult) => r.decisions.some((d) => d.reviewRequested),
        (r: EngineResult) => r.decisions.some((d) => d.reasons.includes(ReasonCode.TermLapsed)),
        (r: EngineResult) => (r.demotions ?? []).length > 0,
        (r: EngineResult) => (r.calleeWarnings ?? []).length > 0,
      ];
      // A review's restore may trip a demotion that the next event's result carries: the image must keep it.
      const cut = new Service(options, 64 * 1024);
      cut.run(
        (i) => at.has(i),
        firstOf,
        (r) => r.review !== undefined,
      );
      expect(cut.log.length).toBe(straight.log.length);
      expect(cut.log.join('\n')).toBe(straight.log.join('\n'));
      expect(cut.cuts).toBeGreaterThanOrEqual(cuts);
    });
  });

  it('the runs cover what the image must carry', () => {
    const logs = CONFIGS.map(([, options]) => {
      const service = new Service(options);
      service.run();
      return service.log.join('\n');
    }).join('\n');
    const missing = SERVICE_RUN_ANSWERS.filter((seen) => !logs.includes(seen));
    expect(missing).toEqual([]);
    expect(logs).toMatch(/"evicted":[1-9]/);
  });

  describe('header', () => {
    const engine = new AnalysisEngine({
      policy: DEFAULT_POLICY_V4,
      shadow: DEFAULT_POLICY_V3,
      carrier: 'CMCC',
    });
    for (const event of EVENTS.slice(0, 2000)) engine.process(event);
    const image = engine.saveImage();

    it('names the format, the policies and the carrier', () => {
      expect(readImageHeader(image)).toEqual({
        format: ENGINE_IMAGE_FORMAT,
        primary: 'default@4',
        shadow: 'default@3',
        carrier: 'CMCC',
        layout: engine.activity.layout,
      });
      const alone = new AnalysisEngine({ policy: HURRIED_POLICY }).saveImage();
      expect(readImageHeader(alone)).toEqual({
        format: ENGINE_IMAGE_FORMAT,
        primary: 'hurried@1',
        layout: engine.activity.layout,
      });
    });

    it('is refused under other policies, naming both', () => {
      const restore = (policy: PolicyDocument, shadow?: PolicyDocument) => () =>
        AnalysisEngine.fromImage({ policy, shadow, carrier: 'CMCC' }, image);
      expect(restore(HURRIED_POLICY, DEFAULT_POLICY_V3)).toThrow(
        'engine image taken under default@4 with shadow default@3, ' +
          "not under the options' hurried@1 with shadow default@3",
      );
      expect(restore(DEFAULT_POLICY_V4)).toThrow(/default@3.*default@4 without a shadow/);
      expect(restore(DEFAULT_POLICY_V4, DEFAULT_POLICY_V3)).not.toThrow();
      expect(() => AnalysisEngine.fromImage({ policy: DEFAULT_POLICY_V4, shadow: DEFAULT_POLICY_V3 }, image)).toThrow(
        'carrier CMCC',
      );
    });

    it('is refused in another format, and when it is no engine image or is cut short', () => {
      const other = Buffer.concat(image);
      other.writeUInt32LE(ENGINE_IMAGE_FORMAT + 1, 4);
      expect(readImageHeader([other])).toEqual({
        format: ENGINE_IMAGE_FORMAT + 1,
        primary: 'default@4',
        shadow: 'default@3',
        carrier: 'CMCC',
      });
      const options: EngineOptions = { policy: DEFAULT_POLICY_V4, shadow: DEFAULT_POLICY_V3, carrier: 'CMCC' };
      expect(() => AnalysisEngine.fromImage(options, [other])).toThrow(
        `engine image of format ${ENGINE_IMAGE_FORMAT + 1}: this engine reads format ${ENGINE_IMAGE_FORMAT}`,
      );
      const gate = new EventGate(GATE).saveImage();
      expect(() => AnalysisEngine.fromImage(options, [gate])).toThrow('not an analysis engine image');
      const whole = Buffer.concat(image);
      expect(() => AnalysisEngine.fromImage(options, [whole.subarray(0, whole.length - 3)])).toThrow(
        'image: truncated',
      );
      expect(() => AnalysisEngine.fromImage(options, [whole, new Uint8Array(1)])).toThrow('1 bytes left unread');
    });
  });

  describe('chunks', () => {
    const service = new Service({ policy: HURRIED_POLICY, shadow: MISTUNED_POLICY });
    service.run();
    const whole = service.images().engine;

    it('are at most the size asked for, and the same bytes however many', () => {
      expect(whole).toHaveLength(1);
      for (const size of [16, 1000, 4096, 65_536]) {
        const chunks = service.images(size).engine;
        expect(chunks.length).toBeGreaterThan(Math.floor(whole[0].length / size));
        for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(size);
        expect(Buffer.concat(chunks).equals(Buffer.from(whole[0]))).toBe(true);
      }
      expect(() => service.images(15)).toThrow('image chunks are at least 16 bytes');
    });

    it('restore however they were cut, numbers split between two chunks included', () => {
      const options = { policy: HURRIED_POLICY, shadow: MISTUNED_POLICY };
      const bytes = whole[0];
      const recut: Uint8Array[] = [];
      for (let at = 0, i = 0; at < bytes.length; at += 1 + (i++ % 13))
        recut.push(bytes.subarray(at, at + 1 + (i % 13)));
      const restored = AnalysisEngine.fromImage(options, recut);
      expect(Buffer.concat(restored.saveImage(1000)).equals(Buffer.from(bytes))).toBe(true);
    });
  });

  describe('the gate', () => {
    it('restores its mark, its ids and its count to the next prune', () => {
      const gate = new EventGate(GATE);
      for (const event of EVENTS.slice(0, 5000)) gate.admit(event, event.at);
      const restored = EventGate.fromImage(GATE, gate.saveImage());
      expect(restored.newest).toBe(gate.newest);
      expect(Buffer.from(restored.saveImage()).equals(Buffer.from(gate.saveImage()))).toBe(true);
      for (const event of EVENTS.slice(4000, 6000))
        expect(restored.admit(event, event.at)).toBe(gate.admit(event, event.at));
      expect(restored.saveImage()).toEqual(gate.saveImage());
    });

    it('refuses an image of another format, or none', () => {
      const bytes = new EventGate(GATE).saveImage();
      const other = Buffer.from(bytes);
      other.writeUInt32LE(GATE_IMAGE_FORMAT + 1, 4);
      expect(() => EventGate.fromImage(GATE, other)).toThrow(
        `event gate image of format ${GATE_IMAGE_FORMAT + 1}: this gate reads format ${GATE_IMAGE_FORMAT}`,
      );
      expect(() => EventGate.fromImage(GATE, new AnalysisEngine({ policy: HURRIED_POLICY }).saveImage()[0])).toThrow(
        'not an event gate image',
      );
    });
  });

  it('the codec reads back what it wrote', () => {
    const w = new ImageWriter(16);
    w.u8(7);
    w.u32(4_000_000_000);
    for (const value of [Date.UTC(2150, 0, 1), Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.5]) w.f64(value);
    w.string('ünïcode 号码');
    w.strings(['', 'a', '号', 'bcd']);
    // A lone surrogate (a JSON event id may hold one) comes back as it was, and so does a pair.
    w.strings(['x\ud800', '\udc00', '😀']);
    w.array(Uint16Array.of(1, 65_535, 3));
    const r = new ImageReader(w.finish());
    expect([r.u8(), r.u32(), r.f64(), r.f64(), r.f64(), r.f64()]).toEqual([
      7,
      4_000_000_000,
      Date.UTC(2150, 0, 1),
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0.5,
    ]);
    expect(r.string()).toBe('ünïcode 号码');
    expect(r.strings()).toEqual(['', 'a', '号', 'bcd']);
    expect(r.strings()).toEqual(['x\ud800', '\udc00', '😀']);
    expect(r.array((n) => new Uint16Array(n), 5)).toEqual(Uint16Array.of(1, 65_535, 3, 0, 0));
    r.end();
    // Ids by the million are joined a few million characters at a time (here in two pieces).
    const ids = Array.from({ length: 600_000 }, (_, i) => (i % 1000 === 0 ? '' : `event-${i}`));
    const many = new ImageWriter();
    many.strings(ids);
    const back = new ImageReader(many.finish());
    const read = back.strings();
    expect(read).toHaveLength(ids.length);
    expect(read.join('\n')).toBe(ids.join('\n'));
    back.end();
    expect(() => new ImageWriter().u32(-1)).toThrow('not a 32-bit count');
  });
});
