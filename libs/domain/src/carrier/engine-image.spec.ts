import type { CellId } from '../cell';
import { AnalysisEngine, ENGINE_IMAGE_FORMAT, readImageHeader, type EngineOptions, type EngineResult } from './engine';
import { EventGate, GATE_IMAGE_FORMAT, type EventGateOptions } from './event-gate';
import type { CarrierEvent } from './events';
import { population } from './fixtures';
import { HIGH_RISK } from './fixtures/article';
import { DAY, HOUR, MINUTE } from './fixtures/scenario';
import { ImageReader, ImageWriter } from './image';
import {
  Action,
  DEFAULT_POLICY_V2,
  DEFAULT_POLICY_V3,
  DEFAULT_POLICY_V4,
  validatePolicy,
  type PolicyDocument,
} from './policy';
import { ReasonCode } from './reasons';

/**
 * default@4 that suspends on less (reviewed from a day's tenure), with short terms and a tight error budget:
 * everything happens within days.
 */
const HURRIED: PolicyDocument = validatePolicy({
  ...DEFAULT_POLICY_V4,
  name: 'image-hurried',
  version: 1,
  curve: 'step',
  ladder: { ...DEFAULT_POLICY_V4.ladder, suspend: 0.7 },
  gates: { ...DEFAULT_POLICY_V4.gates, suspendMinKinds: 1 },
  humanReview: { tenureDays: 1 },
  terms: { restrictHours: 12, suspendDays: 1, maxRenewals: 2 },
  errorBudget: { windowDays: 30, minMistakes: 2, share: 0.01 },
});

/** A mis-tuned shadow (see error-budget.spec.ts): the new-segment reason alone restricts, and errs. */
const MISTUNED: PolicyDocument = validatePolicy({
  ...DEFAULT_POLICY_V2,
  name: 'image-mistuned',
  version: 1,
  curve: 'step',
  weights: { ...DEFAULT_POLICY_V2.weights, [ReasonCode.NewSegment]: 0.7, [ReasonCode.NewNumber]: 0.7 },
  gates: { ...DEFAULT_POLICY_V2.gates, weakEvidenceCap: Action.Suspend },
  errorBudget: { windowDays: 30, minMistakes: 2, share: 0.01 },
});

const GATE: EventGateOptions = { latenessMs: 2 * HOUR, maxAheadMs: 5 * MINUTE };

const POPULATION = population({
  subscribers: 400,
  days: 5,
  heavyPerMille: 10,
  fraudPerMille: 15,
  seed: 23,
  extras: { leastHarmPerMille: 5 },
});
/** The events with ids (the gate remembers them), the population's own first. */
const EVENTS: CarrierEvent[] = POPULATION.events.map((event, i) => ({ ...event, id: `e${i}` }));
const NEW_CELL = '460-11-99999-9' as CellId;

type Act = (engine: AnalysisEngine) => EngineResult | number;

/**
 * What a service does around the engine, the same on every run: admits events through the gate (retries and late
 * copies among them), and between events answers reviews, upholds appeals, relays the registry and directives,
 * re-activates, evicts idle numbers and re-enables demoted reasons, as the engine's answers lead it to. Every answer
 * is logged; `cut` replaces the engine and gate by ones restored from their images.
 */
class Service {
  readonly log: string[] = [];
  private engine: AnalysisEngine;
  private gate: EventGate;
  private readonly queue: { at: number; seq: number; act: Act }[] = [];
  private seq = 0;
  private restrictions = 0;
  private reviews = 0;
  private nextEviction = Number.NEGATIVE_INFINITY;
  private nextCellList = Number.NEGATIVE_INFINITY;
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
    const answered = (result: EngineResult | number) => {
      this.log.push(JSON.stringify(result));
      if (typeof result === 'number') return;
      this.follow(result);
      const hit = pending.findIndex((test) => test(result));
      if (hit >= 0) pending.splice(hit, 1);
      if (hit >= 0 || cutEvery(result)) this.cut();
    };
    const first = EVENTS.find((e) => e.type !== 'subscriber' && e.type !== 'high_risk_cell')?.at ?? 0;
    const suspect = EVENTS.flatMap((e) => (e.type === 'subscriber' ? [e.msisdn] : [])).filter((_m, i) => i % 37 === 0);
    for (const m of suspect) this.engine.knowRegistryStatus(m, 'SUSPECTED');
    this.engine.knowCalleeWarned(suspect[1], first - HOUR);
    EVENTS.forEach((event, i) => {
      if (event.type !== 'subscriber') this.between(event.at, answered);
      this.admit(event, answered);
      // A retry of an event admitted before, and now and then one from hours ago.
      if (i % 61 === 0) this.admit(EVENTS[i >> 1], answered);
      if (i % 97 === 0 && event.type === 'call')
        this.admit({ ...event, id: `late${i}`, at: event.at - 3 * HOUR }, answered);
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

  private admit(event: CarrierEvent, answered: (result: EngineResult | number) => void): void {
    const verdict = this.gate.admit(event, event.at + MINUTE);
    this.log.push(verdict);
    if (verdict === 'accept') answered(this.engine.process(event));
  }

  /** Does what is due before `at`: the queue, evictions every twelve hours, a new high-risk cell list once a day. */
  private between(at: number, answered: (result: EngineResult | number) => void): void {
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const due = this.queue[0];
      if (due === undefined || due.at > at) break;
      this.queue.shift();
      answered(due.act(this.engine));
    }
    if (!Number.isFinite(at)) return;
    if (at >= this.nextEviction) {
      this.nextEviction = at + 12 * HOUR;
      answered(this.engine.evictIdle(at - DAY));
    }
    if (at >= this.nextCellList) {
      this.nextCellList = at + DAY;
      const listed = [...HIGH_RISK, NEW_CELL].map((cell, i) => ({
        cell: cell as CellId,
        from: at - i * HOUR,
        until: at + 2 * DAY,
      }));
      answered(this.engine.setHighRiskCells(listed.filter((_c, i) => (at / DAY + i) % 4 !== 0)));
    }
  }

  private later(at: number, act: Act): void {
    this.queue.push({ at, seq: this.seq++, act });
  }

  /** What the service does about an answer: reviews, appeals, orders and the registry, as they come. */
  private follow(result: EngineResult): void {
    for (const d of result.demotions ?? [])
      this.later(d.at + 6 * HOUR, (e) => e.reenableRule(d.policy, d.reason, d.at + 6 * HOUR));
    for (const d of result.decisions) {
      if (d.shadow) continue;
      const m = d.msisdn;
      if (d.reviewRequested) {
        const outcome = this.reviews++ % 3 === 0 ? 'SUSPEND' : 'RESTORE';
        this.later(d.at + 2 * HOUR, (e) => e.reviewDecided(m, outcome, d.at + 2 * HOUR, d.at));
        continue;
      }
      if (d.action !== Action.Restrict && d.action !== Action.Suspend) continue;
      const t = d.at;
      switch (this.restrictions++ % 9) {
        case 0:
          this.later(t + 3 * HOUR, (e) => e.appealUpheld(m, t + 3 * HOUR));
          break;
        case 1:
          this.later(t + 4 * HOUR, (e) => e.directive(m, Action.Restore, t + 4 * HOUR));
          break;
        case 2:
          this.later(t + HOUR, (e) => e.registryChanged(m, 'CONFIRMED', t + HOUR));
          this.later(t + 30 * HOUR, (e) => e.registryChanged(m, 'CLEARED', t + 30 * HOUR));
          break;
        case 3:
          this.later(t + 5 * HOUR, (e) => e.reactivation(m, true, t + 5 * HOUR));
          break;
        case 4:
          this.later(t + 2 * HOUR, (e) => e.process({ type: 'police_clear', at: t + 2 * HOUR, msisdn: m }));
          break;
        case 5:
          this.later(t + HOUR, (e) => e.directive(m, Action.Suspend, t + HOUR));
          this.later(t + 9 * HOUR, (e) => e.review(m, t + 9 * HOUR));
          break;
        default:
        // Left alone: its term lapses.
      }
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
  ['a hurried default@4 with a mis-tuned shadow', { policy: HURRIED, shadow: MISTUNED, carrier: 'CTCC' }, 3 + 5 + 1],
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
    const missing = [
      '"reviewRequested":true',
      '"review":"DECIDED"',
      '"demotions":[',
      '"reenabled":[{',
      ReasonCode.TermLapsed,
      ReasonCode.LabelFirst,
      '"calleeWarnings":[',
      '"confirmedFraud":true',
      '"reactivation":"RESTORED"',
      '"shadow":true',
      ReasonCode.Directive,
      'duplicate',
      'late',
    ].filter((seen) => !logs.includes(seen));
    expect(missing).toEqual([]);
    expect(logs).toMatch(/^[1-9]\d*$/m);
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
      const alone = new AnalysisEngine({ policy: HURRIED }).saveImage();
      expect(readImageHeader(alone)).toEqual({
        format: ENGINE_IMAGE_FORMAT,
        primary: 'image-hurried@1',
        layout: engine.activity.layout,
      });
    });

    it('is refused under other policies, naming both', () => {
      const restore = (policy: PolicyDocument, shadow?: PolicyDocument) => () =>
        AnalysisEngine.fromImage({ policy, shadow, carrier: 'CMCC' }, image);
      expect(restore(HURRIED, DEFAULT_POLICY_V3)).toThrow(
        'engine image taken under default@4 with shadow default@3, ' +
          "not under the options' image-hurried@1 with shadow default@3",
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
    const service = new Service({ policy: HURRIED, shadow: MISTUNED });
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
      const options = { policy: HURRIED, shadow: MISTUNED };
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
      expect(() => EventGate.fromImage(GATE, new AnalysisEngine({ policy: HURRIED }).saveImage()[0])).toThrow(
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
