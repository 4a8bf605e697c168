import type { DataSource, EntityManager } from 'typeorm';
import {
  Action,
  readsContacts,
  msisdnKey,
  type CarrierShard,
  type CommandResult,
  type Decision,
  type EngineCommand,
  type GateVerdict,
  type JournalEntry,
  type Msisdn,
  type RoundOutcome,
  type SubscriberEvent,
} from '@app/domain';
import { outsideTransaction } from '@app/persistence';
import { numberAbout, type NumberAbout } from '../analysis/number-about';
import type { InFlightChanges } from '../analysis/durable-view';
import type { DecisionRecorder, RecordedStep } from '../decisions/decision-recorder.service';
import type { SubscribersRepository } from '../subscribers/subscribers.repository';
import type { EntryOutcome, ShardSink } from './shard-runner';
import { SHARD_ENTRY_CHANNEL } from './shard-entries';

/** What a shard's shard_entry row says of an event batch: the gate's verdicts, the same on every shard. */
export interface BatchOutcome {
  accepted: number;
  duplicates: number;
  /** Indexes, in the batch, of the events refused as late and as future. */
  late: number[];
  future: number[];
}

/** A shard's row of shard_entry for one log entry. */
export interface ShardEntryRow {
  shard: number;
  /** The active (not shadow) decisions this shard took on the entry. */
  decisions: number;
  /** For an event batch, BatchOutcome; for a command, this shard's result (the owner's says where the number is). */
  outcome: BatchOutcome | (CommandResult & { about?: NumberAbout });
}

/**
 * Makes a shard's outcome of each log entry durable in the carrier's PostgreSQL, in one transaction: the decisions
 * with their notices, outbox messages and review tasks, the callee warnings and demotions (DecisionRecorder), the
 * directory records of the shard's own numbers, and the shard's shard_entry row, which the process that published
 * the entry waits for. Writing an entry again (after a restart from a snapshot) changes nothing: decision ids follow
 * from their content and every insert leaves rows already there alone.
 *
 * Readers (call setup, explanations) see a round's decisions only once they are written: they are held
 * (InFlightChanges) from the moment the engine holds them.
 */
export class PgShardSink implements ShardSink {
  constructor(
    private readonly shard: CarrierShard,
    private readonly dataSource: DataSource,
    private readonly recorder: DecisionRecorder,
    private readonly subscribers: SubscribersRepository,
    private readonly inFlight: InFlightChanges,
  ) {}

  applied(round: RoundOutcome): void {
    this.inFlight.hold(decisionsOf(round));
  }

  async write(outcome: EntryOutcome): Promise<void> {
    const { seq, entry, verdicts, rounds } = outcome;
    const rules = this.shard.engine.primary.rules;
    const steps: RecordedStep[] = rounds.map((round) => ({
      decisions: decisionsOf(round),
      calleeWarnings: round.warnings.map((w) => w.warning),
      demotions: round.demotions.map((d) => d.demotion),
      rules,
    }));
    const decided = steps.reduce((sum, step) => sum + step.decisions.filter((d) => !d.shadow).length, 0);
    const directory: SubscriberEvent[] = [];
    if (entry.kind === 'events')
      entry.events.forEach((event, i) => {
        if (event.type === 'subscriber' && verdicts[i] === 'accept' && this.shard.owns(msisdnKey(event.msisdn)))
          directory.push(event);
      });
    const row: ShardEntryRow = {
      shard: this.shard.place.index,
      decisions: decided,
      outcome: entry.kind === 'events' ? batchOutcome(verdicts) : this.commandOutcome(entry.command, rounds[0]),
    };
    const counted = await outsideTransaction(() =>
      this.dataSource.transaction(async (em) => {
        const count = await this.recorder.writeIn(em, steps);
        if (directory.length > 0) await this.subscribers.upsert(directory, em);
        await this.writeSteps(em, seq, entry, steps);
        // The row, and the notification that wakes the processes waiting for its entry as it commits (ShardEntries).
        await em.query(
          `WITH entry AS (
             INSERT INTO shard_entry (seq, shard, decisions, outcome) VALUES ($1, $2, $3, $4)
             ON CONFLICT (seq, shard) DO NOTHING
           )
           SELECT pg_notify($5, $1::text)`,
          [seq, row.shard, row.decisions, JSON.stringify(row.outcome), SHARD_ENTRY_CHANNEL],
        );
        return count;
      }),
    );
    counted();
    for (const step of steps) this.inFlight.release(step.decisions);
  }

  /**
   * Where the numbers this entry stepped stand now (number_step), for the other shards' call setup; with their
   * contacts when a verdict on their calls reads them (a restricted number, a warned one under calleeProtection),
   * also rewritten when the entry's calls and texts touched such a number.
   */
  private async writeSteps(em: EntityManager, seq: number, entry: JournalEntry, steps: readonly RecordedStep[]) {
    const { engine } = this.shard;
    const numbers = new Set<Msisdn>();
    for (const step of steps) for (const d of step.decisions) if (!d.shadow) numbers.add(d.msisdn);
    if (entry.kind === 'events')
      for (const event of entry.events) {
        const sides =
          event.type === 'call'
            ? [event.caller, event.callee]
            : event.type === 'sms'
              ? [event.sender, event.recipient]
              : [];
        for (const msisdn of sides)
          if (!numbers.has(msisdn) && this.shard.owns(msisdnKey(msisdn)) && this.needsContacts(msisdn, event.at))
            numbers.add(msisdn);
      }
    if (numbers.size === 0) return;
    const rows = [...numbers].map((msisdn) => {
      const standing = engine.primary.standingOf(msisdnKey(msisdn));
      const level = standing?.level ?? Action.None;
      return {
        msisdn,
        level,
        since: standing?.since ?? 0,
        termEnds: standing && Number.isFinite(standing.termEnds) ? standing.termEnds : null,
        contacts: readsContacts(level, engine.primary.rules) ? JSON.stringify(engine.contactsOf(msisdn)) : null,
      };
    });
    await em.query(
      `INSERT INTO number_step (msisdn, shard, seq, level, since_ms, term_ends_ms, contacts)
       SELECT m, $1, $2, l, s, t, c FROM unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::jsonb[])
         AS u(m, l, s, t, c)
       ON CONFLICT (msisdn) DO UPDATE SET shard = excluded.shard, seq = excluded.seq, level = excluded.level,
         since_ms = excluded.since_ms, term_ends_ms = excluded.term_ends_ms, contacts = excluded.contacts
       WHERE number_step.seq <= excluded.seq`,
      [
        this.shard.place.index,
        seq,
        rows.map((r) => r.msisdn),
        rows.map((r) => r.level),
        rows.map((r) => r.since),
        rows.map((r) => r.termEnds),
        rows.map((r) => r.contacts),
      ],
    );
  }

  private needsContacts(msisdn: Msisdn, atMs: number): boolean {
    const { engine } = this.shard;
    return readsContacts(engine.levelOf(msisdn, atMs), engine.primary.rules);
  }

  /** A command's result here, with where its number stands when this shard keeps it. */
  private commandOutcome(command: EngineCommand, round: RoundOutcome): CommandResult & { about?: NumberAbout } {
    const result = round.results[0];
    if (!('msisdn' in command) || !('atMs' in command) || !this.shard.owns(msisdnKey(command.msisdn))) return result;
    return { ...result, about: numberAbout(this.shard.engine, command.msisdn, command.atMs, result.decisions) };
  }
}

function decisionsOf(round: RoundOutcome): Decision[] {
  return round.results.flatMap((result) => result.decisions);
}

function batchOutcome(verdicts: readonly GateVerdict[]): BatchOutcome {
  const out: BatchOutcome = { accepted: 0, duplicates: 0, late: [], future: [] };
  verdicts.forEach((verdict, i) => {
    if (verdict === 'accept') out.accepted++;
    else if (verdict === 'duplicate') out.duplicates++;
    else if (verdict === 'late') out.late.push(i);
    else out.future.push(i);
  });
  return out;
}
