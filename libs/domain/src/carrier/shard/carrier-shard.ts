import type { Msisdn } from '../../msisdn';
import { toSec } from '../activity-store';
import {
  KNOWN_CONTACT_DAYS,
  msisdnKey,
  type AnalysisEngine,
  type CalleeWarning,
  type EngineResult,
  type ForeignFacts,
} from '../engine';
import type { BudgetDelta, RuleDemotion } from '../error-budget';
import type { EventGate, GateVerdict } from '../event-gate';
import type { CarrierEvent } from '../events';
import { applyCommand, type CommandResult, type EngineCommand, type JournalEntry } from '../journal';
import { ContactSim } from './contact-sim';
import { partitionOf } from './partition';

const KNOWN_CONTACT_SEC = KNOWN_CONTACT_DAYS * 86_400;
/** ForeignFacts as bits, as they travel between shards. */
const CALLEE_HEARD = 1;
const CALLEE_IN_CONTACT = 2;
const REPORTER_HEARD = 4;
const SILENT: CommandResult = Object.freeze({ decisions: [] }) as unknown as CommandResult;
/** sidesOf's bits. */
const FIRST_MINE = 1;
const SECOND_MINE = 2;
const NO_FACTS: ForeignFacts = Object.freeze({ calleeHeard: false, calleeInContact: false, reporterHeard: false });

/** Where a shard stands among its carrier's: it keeps the numbers whose partition (partitionOf) is `index`. */
export interface ShardPlace {
  index: number;
  count: number;
}

/**
 * What shards work on together, one after the other, in the order of the carrier's log: a run of admitted events, or
 * one command. `first`: the index of the run's first event in its log entry's admitted events.
 */
export type Round =
  { kind: 'events'; events: readonly CarrierEvent[]; first: number } | { kind: 'command'; command: EngineCommand };

/** A log entry at a shard: the gate's verdict on each event (commands have none), and the rounds it makes. */
export interface AdmittedEntry {
  verdicts: GateVerdict[];
  rounds: Round[];
}

/**
 * The first exchange of a round: what this shard's numbers remembered, just before each event of the round, that the
 * shard of the event's other side needs (see ForeignFacts). Events by their index in the round; one shard at most
 * gives facts for an event.
 */
export interface RoundFacts {
  events: number[];
  bits: number[];
}

/**
 * The second exchange: callee warnings this shard proposes (the callee's shard sends them or not), and the counts its
 * error budgets held back, each with the index of its event in the round (0 for a command).
 */
export interface RoundProposals {
  warnings: { event: number; warning: CalleeWarning }[];
  deltas: { event: number; delta: BudgetDelta }[];
}

/** What a round came to on one shard. */
export interface RoundOutcome {
  /** Per event of the round (one for a command): this shard's result, without callee warnings. */
  results: CommandResult[];
  /** Callee warnings this shard sends (its numbers are the callees), in the order of their calls. */
  warnings: { event: number; warning: CalleeWarning }[];
  /**
   * Reasons demoted by this shard's counts (each shard's budgets demote them too: this one reports them), by event
   * (0 for a command). Results never carry demotions on a shard: they are known only once the round is settled.
   */
  demotions: { event: number; demotion: RuleDemotion }[];
}

/**
 * One shard of a carrier's analysis: an engine that keeps the numbers of its partition (AnalysisEngine.asShard),
 * fed the carrier's whole log in the same order as every other shard, so that the decisions are those of one engine
 * fed the same log, at any number of shards.
 *
 * Every shard reads every entry: the gate admits the same events everywhere (its mark is the whole carrier's), and the
 * directory, registry marks, high-risk cells and policies stay whole on each. An event changes the memory of the
 * numbers it touches on their own shards. Where one side's decision reads the other side's memory (a call's callee
 * had heard from the caller; a reporter had heard from the reported number), the other side's shard works it out
 * first for the whole round (facts), simulating its own numbers' contact memory through the round (ContactSim). Then
 * each shard applies the round with the others' facts (apply), and the shards exchange callee warnings to propose and
 * error-budget counts; the callee's shard sends the warnings it admits, and every shard counts every count in the
 * round's order, so a reason is demoted at the same place on all of them (settle). A demotion takes effect at the end
 * of its round: from the next round on, whatever the number of shards.
 *
 * A re-activation may forget a number's evidence, depending on where the number stands, which may hang on facts of
 * the same round: it ends its round, so the next round's facts start from what it did.
 */
export class CarrierShard {
  /** Facts this shard gave the others, in all rounds so far. */
  factsGiven = 0;
  private readonly sim: ContactSim;
  private readonly ours = new Map<number, boolean>();
  private readonly asked = new Set<number>();
  private sides = new Uint8Array(0);
  /** The round in hand between apply and settle. */
  private results: CommandResult[] = [];

  constructor(
    readonly engine: AnalysisEngine,
    readonly place: ShardPlace,
    readonly gate?: EventGate,
  ) {
    if (!Number.isInteger(place.count) || place.count < 1 || place.index < 0 || place.index >= place.count)
      throw new RangeError(`shard ${place.index} of ${place.count}`);
    engine.asShard({ owns: (key) => this.owns(key) });
    this.sim = new ContactSim(engine.activity);
  }

  owns(key: number): boolean {
    return this.place.count === 1 || partitionOf(key, this.place.count) === this.place.index;
  }

  /** Which shard keeps `msisdn`. */
  shardOf(msisdn: Msisdn): number {
    return partitionOf(msisdnKey(msisdn), this.place.count);
  }

  /**
   * A log entry, in log order: an event batch goes through the gate at the wall clock it was published with (the
   * same on every shard) and its admitted events make rounds; a command is a round of its own.
   */
  admit(entry: JournalEntry): AdmittedEntry {
    if (entry.kind === 'command') return { verdicts: [], rounds: [{ kind: 'command', command: entry.command }] };
    const verdicts = entry.events.map((event) => this.gate?.admit(event, entry.nowMs) ?? 'accept');
    return { verdicts, rounds: roundsOf(entry.events.filter((_, i) => verdicts[i] === 'accept')) };
  }

  /** The first step of a round: the facts this shard gives the other shards (see RoundFacts). */
  facts(round: Round): RoundFacts {
    const out: RoundFacts = { events: [], bits: [] };
    if (round.kind === 'command' || this.place.count === 1) return out;
    const { engine, sim, ours } = this;
    sim.reset();
    ours.clear();
    const isOurs = (key: number) => ours.get(key) ?? engine.isOursKey(key);
    const events = round.events;
    // Only the memory of the numbers asked about matters: the others' changes are not simulated.
    const sides = this.sidesOf(events);
    const asked = this.askedIn(events, sides);
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      switch (event.type) {
        case 'subscriber':
          ours.set(msisdnKey(event.msisdn), engine.recordIsOurs(event.carrier));
          break;
        case 'call':
        case 'sms': {
          const from = msisdnKey(event.type === 'sms' ? event.sender : event.caller);
          const to = msisdnKey(event.type === 'sms' ? event.recipient : event.callee);
          const fromOurs = isOurs(from);
          const toOurs = isOurs(to);
          if (!fromOurs && !toOurs) break;
          const mineFrom = (sides[i] & FIRST_MINE) !== 0;
          const mineTo = (sides[i] & SECOND_MINE) !== 0;
          const atSec = toSec(event.at);
          if (mineTo && !mineFrom) {
            const since = atSec - KNOWN_CONTACT_SEC;
            let bits = sim.heardFrom(to, from, 0) ? CALLEE_HEARD : 0;
            if (sim.heardFrom(to, from, since) || sim.foundOutbound(to, from, since)) bits |= CALLEE_IN_CONTACT;
            out.events.push(i);
            out.bits.push(bits);
          }
          // The call's changes to the memory of who reached whom, in the engine's order (communication()).
          if (mineTo && asked.has(to)) {
            if (toOurs) sim.ensure(to);
            if (sim.hasSlot(to)) sim.noteInbound(to, from, atSec);
          }
          if (mineFrom && asked.has(from)) {
            sim.ensure(from);
            sim.pushOutbound(from, to, atSec);
          }
          break;
        }
        case 'report': {
          const reporter = msisdnKey(event.reporter);
          const reported = msisdnKey(event.reported);
          const mineReported = (sides[i] & SECOND_MINE) !== 0;
          if ((sides[i] & FIRST_MINE) !== 0 && !mineReported) {
            out.events.push(i);
            out.bits.push(
              sim.heardFrom(reporter, reported, toSec(event.at) - engine.reportWindowSec) ? REPORTER_HEARD : 0,
            );
          }
          if (mineReported && asked.has(reported)) sim.ensure(reported);
          break;
        }
        case 'police_clear': {
          // A clearance restores the number and forgets its evidence (engine.restore).
          const key = msisdnKey(event.msisdn);
          if (asked.has(key)) sim.forget(key);
          break;
        }
        default:
          // Locations, high-risk cells and re-activations (the last of a round) change no one's contacts.
          break;
      }
    }
    this.factsGiven += out.events.length;
    return out;
  }

  /**
   * Which sides of each call, text or report of `events` this shard keeps (FIRST_MINE: the caller, sender or
   * reporter; SECOND_MINE: the callee, recipient or reported number), hashed once for the round's two passes.
   */
  private sidesOf(events: readonly CarrierEvent[]): Uint8Array {
    if (this.sides.length < events.length) this.sides = new Uint8Array(events.length * 2);
    const sides = this.sides;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      let first: Msisdn;
      let second: Msisdn;
      if (event.type === 'call') [first, second] = [event.caller, event.callee];
      else if (event.type === 'sms') [first, second] = [event.sender, event.recipient];
      else if (event.type === 'report') [first, second] = [event.reporter, event.reported];
      else {
        sides[i] = 0;
        continue;
      }
      sides[i] = (this.owns(msisdnKey(first)) ? FIRST_MINE : 0) | (this.owns(msisdnKey(second)) ? SECOND_MINE : 0);
    }
    return sides;
  }

  /** This shard's numbers that other shards ask about in `events`: callees of their callers, reporters of theirs. */
  private askedIn(events: readonly CarrierEvent[], sides: Uint8Array): Set<number> {
    const asked = this.asked;
    asked.clear();
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const mine = sides[i];
      if (event.type === 'call' || event.type === 'sms') {
        if (mine === SECOND_MINE) asked.add(msisdnKey(event.type === 'sms' ? event.recipient : event.callee));
      } else if (event.type === 'report' && mine === FIRST_MINE) asked.add(msisdnKey(event.reporter));
    }
    return asked;
  }

  /** The second step: the round applied with every shard's facts (`facts`, one per shard); what it proposes. */
  apply(round: Round, facts: readonly RoundFacts[]): RoundProposals {
    const proposals: RoundProposals = { warnings: [], deltas: [] };
    const { engine } = this;
    if (round.kind === 'command') {
      const result = applyCommand(engine, round.command);
      this.results = [round.command.kind === 'reenableRule' && this.place.index !== 0 ? SILENT : result];
      for (const delta of engine.takeBudgetDeltas()) proposals.deltas.push({ event: 0, delta });
      return proposals;
    }
    const events = round.events;
    const given = new Map<number, number>();
    for (const f of facts) for (let j = 0; j < f.events.length; j++) given.set(f.events[j], f.bits[j]);
    const results = new Array<CommandResult>(events.length);
    for (let i = 0; i < events.length; i++) {
      const bits = given.get(i);
      engine.useForeignFacts(
        bits === undefined
          ? NO_FACTS
          : {
              calleeHeard: (bits & CALLEE_HEARD) !== 0,
              calleeInContact: (bits & CALLEE_IN_CONTACT) !== 0,
              reporterHeard: (bits & REPORTER_HEARD) !== 0,
            },
      );
      results[i] = this.proposed(engine.process(events[i]), i, proposals);
    }
    engine.useForeignFacts(NO_FACTS);
    this.results = results;
    return proposals;
  }

  /** The last step: every shard's proposals (`proposals`, one per shard, in shard order) settled. */
  settle(round: Round, proposals: readonly RoundProposals[]): RoundOutcome {
    const { engine } = this;
    const outcome: RoundOutcome = { results: this.results, warnings: [], demotions: [] };
    this.results = [];
    const warnings = proposals
      .flatMap((p) => p.warnings)
      .filter(({ warning }) => this.owns(msisdnKey(warning.callee)))
      .sort((a, b) => a.event - b.event);
    for (const proposed of warnings) if (engine.admitCalleeWarning(proposed.warning)) outcome.warnings.push(proposed);
    // Every shard counts every shard's counts, by event; in one event only the shard of its number counts.
    const deltas = proposals
      .flatMap((p, shard) => p.deltas.map((d) => ({ ...d, shard })))
      .sort((a, b) => a.event - b.event || a.shard - b.shard);
    for (const { event, delta, shard } of deltas) {
      const demoted = engine.applyBudgetDelta(delta);
      if (demoted && shard === this.place.index)
        for (const demotion of demoted) outcome.demotions.push({ event, demotion });
    }
    return outcome;
  }

  /** An event's result, its callee warnings moved to the proposals and its budget counts taken. */
  private proposed(result: EngineResult, event: number, proposals: RoundProposals): CommandResult {
    for (const delta of this.engine.takeBudgetDeltas()) proposals.deltas.push({ event, delta });
    if (result.calleeWarnings === undefined) return result;
    for (const warning of result.calleeWarnings) proposals.warnings.push({ event, warning });
    const { calleeWarnings: _proposed, ...rest } = result;
    return rest;
  }
}

/** Admitted events as rounds: a re-activation ends one (see CarrierShard). */
export function roundsOf(events: readonly CarrierEvent[]): Round[] {
  const rounds: Round[] = [];
  let start = 0;
  for (let i = 0; i < events.length; i++) {
    if (events[i].type !== 'reactivation') continue;
    rounds.push({ kind: 'events', events: events.slice(start, i + 1), first: start });
    start = i + 1;
  }
  if (start < events.length) rounds.push({ kind: 'events', events: events.slice(start), first: start });
  return rounds;
}

/**
 * Runs one round on shards of one carrier held in one process (tests, offline replays): each step on every shard,
 * each exchange handed over whole. `shards` in shard order, all of them.
 */
export function runRound(shards: readonly CarrierShard[], round: Round): RoundOutcome[] {
  const facts = shards.map((shard) => shard.facts(round));
  const proposals = shards.map((shard) => shard.apply(round, facts));
  return shards.map((shard) => shard.settle(round, proposals));
}
