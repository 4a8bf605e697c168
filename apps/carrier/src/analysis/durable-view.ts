import type {
  Action,
  AnalysisEngine,
  CarrierId,
  Decision,
  EngineView,
  Features,
  LadderView,
  Msisdn,
  RegistryMark,
  Subscriber,
} from '@app/domain';

interface Held<T> {
  /** Where the number stood in the database before its first write in flight. */
  durable: T;
  /** Writes in flight that change it. */
  writes: number;
}

/**
 * What the engine decided but the database does not hold yet: for each number
 * whose step (or registry mark) changed in a write still in flight, where it
 * stood before. Call setup and explanations read through it (DurableView), so
 * a decision is acted on only once it is durable, and one whose write failed
 * never is.
 */
export class InFlightChanges {
  private readonly levels = new Map<string, Held<Action>>();
  private readonly marks = new Map<string, Held<RegistryMark | undefined>>();

  /** The active ladder's decisions of a write about to start. */
  hold(decisions: readonly Decision[]): void {
    for (const d of decisions) {
      if (d.shadow) continue;
      const held = this.levels.get(d.msisdn);
      if (held) held.writes++;
      else this.levels.set(d.msisdn, { durable: d.previous, writes: 1 });
    }
  }

  /** The same decisions once their write committed. */
  release(decisions: readonly Decision[]): void {
    for (const d of decisions) {
      if (d.shadow) continue;
      const held = this.levels.get(d.msisdn);
      if (held && --held.writes === 0) this.levels.delete(d.msisdn);
    }
  }

  holdMark(msisdn: Msisdn, before: RegistryMark | undefined): void {
    const held = this.marks.get(msisdn);
    if (held) held.writes++;
    else this.marks.set(msisdn, { durable: before, writes: 1 });
  }

  releaseMark(msisdn: Msisdn): void {
    const held = this.marks.get(msisdn);
    if (held && --held.writes === 0) this.marks.delete(msisdn);
  }

  levelOf(msisdn: Msisdn): Action | undefined {
    // Call setup asks for every call: nothing in flight (the common case) costs no look-up.
    return this.levels.size === 0 ? undefined : this.levels.get(msisdn)?.durable;
  }

  /** Whether the number's registry mark is in flight, and what it was before. */
  markOf(msisdn: Msisdn): Held<RegistryMark | undefined> | undefined {
    return this.marks.size === 0 ? undefined : this.marks.get(msisdn);
  }

  get size(): number {
    return this.levels.size + this.marks.size;
  }

  /** The engine was rebuilt from the database: nothing is in flight any more. */
  clear(): void {
    this.levels.clear();
    this.marks.clear();
  }
}

/**
 * The engine as readers see it: a number's step and registry mark as the
 * database holds them (InFlightChanges), everything else from memory.
 */
export class DurableView implements EngineView {
  constructor(
    private readonly engine: () => AnalysisEngine,
    private readonly inFlight: InFlightChanges,
  ) {}

  get primary(): LadderView {
    return this.engine().primary;
  }

  get shadow(): LadderView | undefined {
    return this.engine().shadow;
  }

  levelOf(msisdn: Msisdn, atMs: number): Action {
    return this.inFlight.levelOf(msisdn) ?? this.engine().levelOf(msisdn, atMs);
  }

  registryStatusOf(msisdn: Msisdn): RegistryMark | undefined {
    const held = this.inFlight.markOf(msisdn);
    return held ? held.durable : this.engine().registryStatusOf(msisdn);
  }

  isConfirmedFraud(msisdn: Msisdn): boolean {
    return this.registryStatusOf(msisdn) === 'CONFIRMED';
  }

  knows(msisdn: Msisdn, peer: Msisdn, atMs: number): boolean {
    return this.engine().knows(msisdn, peer, atMs);
  }

  subscriberOf(msisdn: Msisdn): Readonly<Subscriber & { carrier: CarrierId }> | undefined {
    return this.engine().subscriberOf(msisdn);
  }

  isHighRiskCell(cell: string, atMs: number): boolean {
    return this.engine().isHighRiskCell(cell, atMs);
  }

  features(msisdn: Msisdn, atMs: number): Features {
    return this.engine().features(msisdn, atMs);
  }
}
