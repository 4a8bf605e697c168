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

/**
 * Per number, where it stood in the database before its first write still in
 * flight, and how many such writes there are: the last one to commit lets go.
 */
class Held<T> {
  private readonly held = new Map<string, { durable: T; writes: number }>();

  hold(msisdn: string, durable: T): void {
    const held = this.held.get(msisdn);
    if (held) held.writes++;
    else this.held.set(msisdn, { durable, writes: 1 });
  }

  release(msisdn: string): void {
    const held = this.held.get(msisdn);
    if (held && --held.writes === 0) this.held.delete(msisdn);
  }

  /**
   * Whether the number has a write in flight, and where it stood before. Call
   * setup asks for every call: nothing in flight (the common case) costs no look-up.
   */
  get(msisdn: string): { durable: T } | undefined {
    return this.held.size === 0 ? undefined : this.held.get(msisdn);
  }

  clear(): void {
    this.held.clear();
  }
}

/**
 * What the engine decided but the database does not hold yet: for each number
 * whose step (or registry mark) changed in a write still in flight, where it
 * stood before. Call setup and explanations read through it (DurableView), so
 * a decision is acted on only once it is durable, and one whose write failed
 * never is.
 */
export class InFlightChanges {
  private readonly levels = new Held<Action>();
  private readonly marks = new Held<RegistryMark | undefined>();

  /** The active ladder's decisions of a write about to start. */
  hold(decisions: readonly Decision[]): void {
    for (const d of decisions) if (!d.shadow) this.levels.hold(d.msisdn, d.previous);
  }

  /** The same decisions once their write committed. */
  release(decisions: readonly Decision[]): void {
    for (const d of decisions) if (!d.shadow) this.levels.release(d.msisdn);
  }

  holdMark(msisdn: Msisdn, before: RegistryMark | undefined): void {
    this.marks.hold(msisdn, before);
  }

  releaseMark(msisdn: Msisdn): void {
    this.marks.release(msisdn);
  }

  levelOf(msisdn: Msisdn): Action | undefined {
    return this.levels.get(msisdn)?.durable;
  }

  /** Whether the number's registry mark is in flight, and what it was before. */
  markOf(msisdn: Msisdn): { durable: RegistryMark | undefined } | undefined {
    return this.marks.get(msisdn);
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
