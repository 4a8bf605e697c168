import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AnalysisEngine,
  type Action,
  applyCommand,
  chancesUsed,
  CLOCK,
  decodeJournalEntry,
  encodeJournalEntry,
  EventGate,
  policyLabel,
  replayJournalEntry,
  rulesOf,
  type CalleeWarning,
  type CarrierEvent,
  type Clock,
  type CommandResult,
  type Decision,
  type EngineCommand,
  type EngineView,
  type JournalEntry,
  type LadderBudgetRebuild,
  type Msisdn,
  type PolicyDocument,
  type RuleDemotion,
  type StoredRestore,
  type SubscriberEvent,
} from '@app/domain';
import { ServiceHealth } from '@app/observability';
import type { TransactionHooks } from '@app/persistence';
import type { EntityManager } from 'typeorm';
import { CARRIER_CONFIG, gateOptionsOf, type CarrierConfig } from '../config/carrier.config';
import { DecisionRecorder } from '../decisions/decision-recorder.service';
import { DecisionsRepository } from '../decisions/decisions.repository';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { RuleBudgetRepository } from '../rule-budget/rule-budget.repository';
import { PoliciesRepository } from '../policies/policies.repository';
import { ReactivationRepository } from '../reactivation/reactivation.repository';
import { RegistryLinkRepository } from '../registry-link/registry-link.repository';
import { ReviewTasksRepository } from '../reviews/review-tasks.repository';
import { SubscribersRepository } from '../subscribers/subscribers.repository';
import { AnalysisError } from './analysis.errors';
import { DurableView, InFlightChanges } from './durable-view';
import { EvidenceRepository } from './evidence.repository';
import { JournalWriter, type JournalUnit } from './journal-writer';
import { numberAbout, type NumberAbout } from './number-about';
import { ShardHost } from '../shard/shard-host';

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  late: number[];
  /** Indexes of events dated past the allowance ahead of the service's clock. */
  future: number[];
  decisions: Decision[];
  /** Callees to warn (policy.calleeProtection), stored with the decisions. */
  calleeWarnings: CalleeWarning[];
  /** Reasons the batch demoted (error budget per rule), written with its decisions. */
  demotions: RuleDemotion[];
  /** The active (not shadow) decisions it led to (in shard mode, over every shard: `decisions` are not sent back). */
  decided: number;
}

/** A request's identity (its scope, key and content): a change it makes is made once, whatever the retries. */
export interface RequestOnce {
  scope: string;
  idempotencyKey: string;
  contentHash: string;
}

/** A change of one number, durable, and where it left the number. */
export interface NumberChange {
  result: CommandResult;
  about: NumberAbout;
}

/** The health entry that says whether the engine's memory is what the database holds. */
export const ANALYSIS_DEPENDENCY = 'analysis';
const DONE: Promise<void> = Promise.resolve();
const EVICT_EVERY_MS = 10 * 60_000;
const POLICY_SYNC_MS = 5_000;
/** How often a shard compares its position with the log's end (lag metric, health). */
const SHARD_LAG_MS = 2_000;
/** How often a shard checks that it still holds its lock. */
const SHARD_LOCK_MS = 1_000;
/** How often a rebuild after a failed write is tried while the database stays away. */
const RECOVERY_RETRY_MS = 1_000;

/** The engine and the gate of one lineage, and how far into its journal they are. */
interface Loaded {
  engine: AnalysisEngine;
  gate: EventGate;
  seq: number;
  /** Loaded from a snapshot (else rebuilt from the stored decisions, with no snapshot to follow yet). */
  fromSnapshot: boolean;
  /** Where it came from, for the log. */
  from: string;
}

/**
 * The carrier's analysis: one engine in memory (single-threaded, so every event
 * sees the state of the one before), whose every input is journalled in the
 * transaction of the decisions it leads to (JournalWriter), and whose whole
 * state is stored every SNAPSHOT_INTERVAL_SEC and at shut-down. At start-up the
 * newest snapshot is loaded and the journal after it replayed, so a restart
 * (also after kill -9) resumes with every piece of evidence it had.
 *
 * Memory never runs ahead of the database: readers (call setup, explanations)
 * see a decision only once it is committed (DurableView), and a failed write
 * puts the engine back to what is durable, by rebuilding it as a restart would;
 * until then every change is refused as UNAVAILABLE and the service reports
 * NOT_SERVING.
 */
@Injectable()
export class AnalysisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AnalysisService.name);
  private engine!: AnalysisEngine;
  private gate!: EventGate;
  private lineage = 0;
  /** The journal position of the last input applied to the engine. */
  private seq = 0;
  private writer!: JournalWriter;
  private readonly inFlightChanges = new InFlightChanges();
  private readonly view = new DurableView(() => this.engine, this.inFlightChanges);
  /** Set while one caller has the engine to itself (a change inside its own transaction, a snapshot). */
  private exclusive: Promise<void> | undefined;
  /** Why the engine is behind its memory and being rebuilt; undefined: it is what the database holds. */
  private stale: Error | undefined;
  private recovering: Promise<void> | undefined;
  private snapshotting: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** The last input's write: the writer commits in order, so once it is durable every input before it is. */
  private lastWrite: Promise<void> = DONE;
  private closed = false;
  /** Shard mode (CARRIER_SHARDS): the engine is this process's shard, fed the carrier's log. */
  private sharded: ShardHost | undefined;

  constructor(
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    private readonly dataSource: DataSource,
    private readonly policies: PoliciesRepository,
    private readonly subscribers: SubscribersRepository,
    private readonly decisions: DecisionsRepository,
    private readonly reactivations: ReactivationRepository,
    private readonly registry: RegistryLinkRepository,
    private readonly recorder: DecisionRecorder,
    private readonly reviewTasks: ReviewTasksRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ruleBudgets: RuleBudgetRepository,
    private readonly metrics: CarrierMetrics,
    private readonly evidence: EvidenceRepository,
    @Optional() private readonly health?: ServiceHealth,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.shards) return this.startShard();
    this.lineage = (await this.evidence.claimLineage()) as number;
    const loaded = await this.load();
    this.install(loaded);
    this.health?.declare(ANALYSIS_DEPENDENCY, { critical: true, state: 'up', detail: loaded.from });
    const { primary, shadow } = this.engine;
    this.logger.log(
      `analysis ready (evidence lineage ${this.lineage}): ${loaded.from}; ` +
        `policy ${primary.label}${shadow ? `, shadow ${shadow.label}` : ''}`,
    );
    // Every lineage starts from a snapshot: the state rebuilt from decisions is the base its journal follows.
    if (!loaded.fromSnapshot) await this.snapshot();
    this.every('evicting idle activity', EVICT_EVERY_MS, () => this.evictIdle());
    this.every('policy sync', POLICY_SYNC_MS, () => this.syncPolicies());
    this.every('snapshot', this.config.snapshotIntervalMs, () => this.snapshot());
  }

  /**
   * Shard mode: this process runs one shard of the carrier on its log (ShardHost); shard 0 also publishes the
   * carrier-wide changes nobody asks for (idle evictions, policy switches made through another process).
   */
  private async startShard(): Promise<void> {
    const host = new ShardHost({
      config: this.config,
      shards: this.config.shards!,
      dataSource: this.dataSource,
      evidence: this.evidence,
      recorder: this.recorder,
      subscribers: this.subscribers,
      policies: this.policies,
      health: this.health,
      metrics: this.metrics,
    });
    this.sharded = host;
    await host.start();
    this.reportDemotions();
    if (host.index === 0) {
      this.every('evicting idle activity', EVICT_EVERY_MS, () => this.evictIdle());
      this.every('policy sync', POLICY_SYNC_MS, () => this.syncPolicies());
    }
    this.every('snapshot', this.config.snapshotIntervalMs, () => this.snapshot());
    this.every('shard lag', SHARD_LAG_MS, () => host.watchLag());
    this.every('shard lock', SHARD_LOCK_MS, () => host.watchLock());
  }

  /** The shard this process runs, in shard mode. */
  get shard(): ShardHost | undefined {
    return this.sharded;
  }

  /** At shut-down (SIGTERM): a last snapshot, so the next start replays nothing. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.snapshot().catch((e: Error) => this.logger.warn(`the snapshot at shut-down failed: ${e.message}`));
    await this.sharded?.stop();
  }

  onApplicationShutdown(): void {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
  }

  /**
   * Resolves once the engine holds what the database holds: at once, or after
   * the rebuild that follows a failed write.
   */
  async current(): Promise<void> {
    await this.recovering;
  }

  /** The lineage of evidence this engine writes (0 unless another engine runs on the same database). */
  get evidenceLineage(): number {
    return this.sharded?.index ?? this.lineage;
  }

  /**
   * Follows policy switches made through another replica of this carrier: the
   * stored assignment is the truth, checked every few seconds.
   */
  async syncPolicies(): Promise<void> {
    if (this.stale) return;
    const { active, shadow } = await this.policies.current();
    const { primary, shadow: running } = this.state;
    if (policyLabel(active) === primary.label && (shadow && policyLabel(shadow)) === running?.label) return;
    await this.usePolicies(await this.policies.document(active), shadow && (await this.policies.document(shadow)));
  }

  /** Analyses a batch of events in order and records the decisions they lead to. */
  async ingest(events: readonly CarrierEvent[]): Promise<IngestOutcome> {
    const { outcome, durable } = await this.submit(events);
    await durable;
    return outcome;
  }

  /**
   * Takes a batch now, in arrival order, and says what it came to: analysed at once on one node (its journal row and
   * what it led to then written), published as one log entry in shard mode, its outcome known once every shard made
   * it durable. Resolves as soon as the next batch may be taken; `durable` resolves once the batch is committed
   * (readers see its decisions from then on), and rejects UNAVAILABLE if it never will be.
   */
  async submit(events: readonly CarrierEvent[]): Promise<{ outcome: Promise<IngestOutcome>; durable: Promise<void> }> {
    if (this.sharded) {
      // Published (in arrival order) before the next batch is taken; its outcome comes once every shard wrote it.
      const published = await this.sharded.ingest(events, this.clock.now().getTime());
      const outcome = published.outcome.then((batch): IngestOutcome => {
        const { accepted, duplicates, late, future, decided } = batch;
        return { accepted, duplicates, late, future, decided, decisions: [], calleeWarnings: [], demotions: [] };
      });
      return { outcome, durable: outcome.then(() => undefined) };
    }
    const { outcome, durable } = await this.analyse(events);
    return { outcome: Promise.resolve(outcome), durable };
  }

  /**
   * One node (submit's path there): analyses a batch now and starts the write of its journal row and of what it
   * led to; `durable` resolves once they are committed (readers see its
   * decisions from then on), and rejects UNAVAILABLE if they never will be.
   */
  async analyse(events: readonly CarrierEvent[]): Promise<{ outcome: IngestOutcome; durable: Promise<void> }> {
    await this.writable();
    const outcome: IngestOutcome = {
      accepted: 0,
      duplicates: 0,
      late: [],
      future: [],
      decisions: [],
      calleeWarnings: [],
      demotions: [],
      decided: 0,
    };
    const admitted: CarrierEvent[] = [];
    const directory: SubscriberEvent[] = [];
    // The service's clock bounds only how far ahead senders may date events; the analysis runs on event time.
    const now = this.clock.now().getTime();
    for (let index = 0; index < events.length; index++) {
      const event = events[index];
      const verdict = this.gate.admit(event, now);
      if (verdict === 'duplicate') outcome.duplicates++;
      else if (verdict === 'late') outcome.late.push(index);
      else if (verdict === 'future') outcome.future.push(index);
      else {
        outcome.accepted++;
        admitted.push(event);
        if (event.type === 'subscriber') directory.push(event);
        const { decisions, calleeWarnings, demotions } = this.engine.process(event);
        if (decisions.length > 0) {
          outcome.decisions.push(...decisions);
          for (const d of decisions) if (!d.shadow) outcome.decided++;
        }
        if (calleeWarnings) outcome.calleeWarnings.push(...calleeWarnings);
        if (demotions) outcome.demotions.push(...demotions);
      }
    }
    const { decisions, calleeWarnings, demotions } = outcome;
    // A retried event's first copy may still be on its way to the database (a concurrent retry of a stream): the
    // retry is answered once what was in flight when it arrived is durable, as the first copy's stream is. Writes
    // commit in order, so a batch's own write covers the ones before it.
    const durable =
      admitted.length > 0
        ? this.journal(
            { kind: 'events', nowMs: now, events: admitted },
            { decisions, calleeWarnings, demotions, directory },
          )
        : outcome.duplicates > 0
          ? this.lastWrite
          : DONE;
    return { outcome, durable };
  }

  /** Applies a command to the engine, durably: answered once its journal row and decisions are committed. */
  async apply(command: EngineCommand): Promise<CommandResult> {
    const [result] = await this.applyAll([command]);
    return result;
  }

  /** Applies commands in order, each journalled on its own, written together; answered once all are committed. */
  async applyAll(commands: readonly EngineCommand[]): Promise<CommandResult[]> {
    if (this.sharded) return this.sharded.apply(commands);
    await this.writable();
    const results: CommandResult[] = [];
    const writes: Promise<void>[] = [];
    for (const command of commands) {
      // Call setup goes on reading the registry mark the database holds until this change is durable (a failed one
      // stays held until the rebuild).
      const mark = command.kind === 'registryChanged' ? command.msisdn : undefined;
      if (mark) this.inFlightChanges.holdMark(mark, this.engine.registryStatusOf(mark));
      const result = applyCommand(this.engine, command);
      const { decisions, calleeWarnings, demotions } = result;
      const write = this.journal({ kind: 'command', command }, { decisions, calleeWarnings, demotions });
      writes.push(mark ? write.then(() => this.inFlightChanges.releaseMark(mark)) : write);
      results.push(result);
    }
    await Promise.all(writes);
    return results;
  }

  /**
   * Applies a change of one number, durably, and says where the number stands after it (its step before and after,
   * its assessment), as its owner shard has it in shard mode.
   */
  async applyAbout(command: EngineCommand & { msisdn: Msisdn; atMs: number }): Promise<NumberChange> {
    const [result] = await this.applyAll([command]);
    const about = this.sharded
      ? (result as CommandResult & { about?: NumberAbout }).about
      : numberAbout(this.state, command.msisdn, command.atMs, result.decisions);
    if (!about) throw new Error(`shard ${this.sharded?.ownerOf(command.msisdn)} gave no account of ${command.msisdn}`);
    return { result, about };
  }

  /** A number's step, where this process knows it: in shard mode, only for the numbers its shard keeps. */
  levelKnown(msisdn: Msisdn, atMs: number): Action | undefined {
    if (this.sharded && !this.sharded.owns(msisdn)) return undefined;
    return this.state.levelOf(msisdn, atMs);
  }

  /**
   * Applies a command about one number as part of the caller's transaction:
   * its journal row and decisions are written with the transaction, and the
   * engine is the caller's alone until it ends. If it does not commit, the
   * number is taken back to where it stood (or, when the command reached beyond
   * the number, the engine is rebuilt from what is durable).
   */
  async applyInTransaction(
    em: EntityManager,
    hooks: TransactionHooks,
    msisdn: Msisdn,
    command: EngineCommand,
    once?: RequestOnce,
  ): Promise<CommandResult> {
    if (this.sharded) return this.applyOnShard(msisdn, command, once);
    const release = await this.takeExclusive();
    let seq: number;
    let result: CommandResult;
    let before: ReturnType<AnalysisEngine['checkpoint']>;
    let after: ReturnType<AnalysisEngine['checkpoint']>;
    try {
      await this.drained();
      before = this.engine.checkpoint(msisdn);
      result = applyCommand(this.engine, command);
      after = this.engine.checkpoint(msisdn);
      seq = ++this.seq;
    } catch (error) {
      release();
      throw error;
    }
    this.inFlightChanges.hold(result.decisions);
    hooks.onCommit(() => {
      this.inFlightChanges.release(result.decisions);
      release();
    });
    hooks.onRollback(() => {
      this.seq = seq - 1;
      // A command that changed the number alone is taken back exactly; one that reached further (a decision counts
      // in the error budget) makes the engine rebuild from what is durable, its decisions held meanwhile.
      const own = result.decisions.length === 0 && !result.demotions;
      if (own && this.engine.rollBack(before, after)) this.inFlightChanges.release(result.decisions);
      else this.behind(new Error(`a transaction that changed ${msisdn} did not commit`));
      release();
    });
    await this.evidence.appendIn(em, this.lineage, [{ seq, entry: encodeJournalEntry({ kind: 'command', command }) }]);
    const rules = this.engine.primary.rules;
    hooks.onCommit(await this.recorder.writeIn(em, [{ ...result, rules }]));
    return result;
  }

  /**
   * A number's step as the caller's own transaction leaves it (after its
   * applyInTransaction, before the commit): what the caller stores and answers.
   */
  levelInTransaction(msisdn: Msisdn, atMs: number): Action {
    if (this.sharded) return this.sharded.view.levelOf(msisdn, atMs);
    return this.engine.levelOf(msisdn, atMs);
  }

  /**
   * Shard mode: a change of one number, asked of its owner shard (the request was sent there), goes through the log
   * like any other and is durable once answered, before the caller's transaction commits. Should that transaction
   * fail, the change stays made; with `once` (the request's key and content) as its message id, the caller's retry
   * within the log's duplicate window (2 minutes) is answered the first command's result rather than applied again.
   */
  private async applyOnShard(msisdn: Msisdn, command: EngineCommand, once?: RequestOnce): Promise<CommandResult> {
    const host = this.sharded!;
    if (!host.owns(msisdn))
      throw new Error(`${msisdn} is kept by shard ${host.ownerOf(msisdn)}, not ${host.index}: the request goes there`);
    const [result] = await host.apply([command], once && `r-${once.scope}-${once.idempotencyKey}-${once.contentHash}`);
    return result;
  }

  /** Read-only access for call setup, explanations and checks: steps as the database holds them. */
  get state(): EngineView {
    return this.sharded?.view ?? this.view;
  }

  /**
   * Switches the active and shadow policies without losing any number's step;
   * a policy that starts running here brings back its stored demotions and
   * counts (its budget is its own). Journalled, with the budgets it read.
   */
  async usePolicies(active: PolicyDocument, shadow: PolicyDocument | undefined): Promise<void> {
    const budgets = await this.storedBudgets([
      { policy: active, shadow: false, running: this.state.primary.label },
      ...(shadow ? [{ policy: shadow, shadow: true, running: this.state.shadow?.label }] : []),
    ]);
    await this.apply({ kind: 'policies', policy: active, shadow, budgets });
    this.reportDemotions();
    this.logger.log(`policy ${policyLabel(active)}${shadow ? `, shadow ${policyLabel(shadow)}` : ''}`);
  }

  /**
   * Stores the engine's whole state, covering the journal up to now. The engine
   * is held still only while its state is copied (the writes in flight
   * committed first); storing the copy runs beside new work.
   */
  snapshot(): Promise<void> {
    if (this.sharded) return this.sharded.snapshot();
    this.snapshotting ??= this.takeSnapshot().finally(() => (this.snapshotting = undefined));
    return this.snapshotting;
  }

  private async takeSnapshot(): Promise<void> {
    if (this.stale || this.closed) return;
    const release = await this.takeExclusive();
    let parts: Uint8Array[];
    let seq: number;
    try {
      await this.drained();
      parts = [this.gate.saveImage(), ...this.engine.saveImage()];
      seq = this.seq;
    } finally {
      release();
    }
    const started = Date.now();
    await this.evidence.saveSnapshot(this.lineage, seq, parts);
    const bytes = parts.reduce((sum, p) => sum + p.length, 0);
    this.logger.log(`snapshot at journal ${seq}: ${(bytes / 1e6).toFixed(1)} MB in ${Date.now() - started} ms`);
  }

  /**
   * The error budgets stored for the ladders about to run (demotions in force,
   * re-enables, decisions of the window: the domain's ruleBudgetFrom), for
   * those that do not run already and have anything stored. A policy with
   * nothing stored keeps the budget it starts with.
   */
  private async storedBudgets(
    ladders: readonly { policy: PolicyDocument; shadow: boolean; running?: string }[],
  ): Promise<LadderBudgetRebuild[]> {
    const now = this.clock.now().getTime();
    const budgets: LadderBudgetRebuild[] = [];
    for (const { policy, shadow, running } of ladders) {
      const label = policyLabel(policy);
      const rules = rulesOf(policy).errorBudget;
      if (!rules || label === running) continue;
      const [history, demoted, reenabled] = await Promise.all([
        this.decisions.budgetHistory(label, shadow, new Date(now - rules.windowMs)),
        this.ruleBudgets.inForce(label, shadow),
        this.ruleBudgets.latestReenables(label, shadow),
      ]);
      if (history.length === 0 && demoted.length === 0 && reenabled.length === 0) continue;
      budgets.push({
        policyLabel: label,
        shadow,
        history: history.map((d) => ({ ...d, at: d.at.getTime() })),
        demoted: demoted.map((d) => ({ reason: d.reason, since: d.demotedAt.getTime() })),
        reenabled: reenabled.map((r) => ({ reason: r.reason, at: r.at.getTime() })),
      });
      if (demoted.length > 0)
        this.logger.log(`${label}${shadow ? ' (shadow)' : ''}: demoted ${demoted.map((d) => d.reason).join(', ')}`);
    }
    return budgets;
  }

  private async evictIdle(): Promise<void> {
    // Idle by event time, up to the gate's newest mark (which no future-dated event can move past the clock).
    const newest = this.sharded ? this.sharded.newest : this.gate.newest;
    if (!Number.isFinite(newest) || this.stale) return;
    const { evicted } = await this.apply({ kind: 'evictIdle', idleSinceMs: newest - this.config.idleEvictionMs });
    if (evicted) this.logger.log(`forgot the activity of ${evicted} idle numbers`);
  }

  /** The reasons demoted on the running ladders, as the fraud_rule_demoted gauge shows them. */
  private reportDemotions(): void {
    const now = this.clock.now().getTime();
    for (const ladder of [this.state.primary, this.state.shadow]) {
      if (!ladder) continue;
      for (const budget of ladder.ruleBudgets(now))
        if (budget.demotedSince !== undefined)
          this.metrics.ruleDemotedState(ladder.label, budget.reason, ladder.shadow, true);
    }
  }

  /** Runs `work` every `ms` (never two at once), logging its failures under `what`. */
  private every(what: string, ms: number, work: () => Promise<void>): void {
    let running: Promise<void> | undefined;
    const timer = setInterval(() => {
      running ??= work()
        .catch((e: Error) => this.logger.warn(`${what} failed: ${e.message}`))
        .finally(() => (running = undefined));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Journals one input with what it led to; readers see its decisions once the write committed. */
  private journal(entry: JournalEntry, led: Omit<JournalUnit, 'seq' | 'entry' | 'rules'>): Promise<void> {
    const unit: JournalUnit = {
      ...led,
      seq: ++this.seq,
      entry: encodeJournalEntry(entry),
      rules: this.engine.primary.rules,
    };
    this.inFlightChanges.hold(unit.decisions);
    // A failed write's decisions stay held (readers see the step the database holds) until the rebuild.
    this.lastWrite = this.writer.write(unit).then(
      () => this.inFlightChanges.release(unit.decisions),
      (error: Error) => {
        throw unavailable(error);
      },
    );
    return this.lastWrite;
  }

  /** Waits while another caller has the engine to itself; refuses while the engine is behind the database. */
  private async writable(): Promise<void> {
    while (this.exclusive) await this.exclusive;
    if (this.stale) throw unavailable(this.stale);
  }

  /** The engine to the caller alone (no batch, command or snapshot meanwhile) until it calls the release. */
  private async takeExclusive(): Promise<() => void> {
    await this.writable();
    let release!: () => void;
    this.exclusive = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.exclusive = undefined;
      release();
    };
  }

  /** Every write started so far committed; UNAVAILABLE if one failed. */
  private async drained(): Promise<void> {
    try {
      await this.writer.drained();
    } catch (error) {
      throw unavailable(error as Error);
    }
  }

  /**
   * A write failed: the engine holds what the database does not. It stops
   * taking changes (UNAVAILABLE, NOT_SERVING) and is rebuilt from the snapshot
   * and journal as soon as the database answers.
   */
  private behind(error: Error): void {
    if (this.stale || this.closed) return;
    this.stale = error;
    this.health?.report(
      ANALYSIS_DEPENDENCY,
      false,
      `rebuilding from the journal after a failed write: ${error.message}`,
    );
    this.recovering ??= this.recover().finally(() => (this.recovering = undefined));
  }

  private async recover(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        // A lost lock connection means the lineage may have gone to another engine: take it back first.
        if (!(await this.evidence.holdsLock())) {
          const lineage = await this.evidence.claimLineage(this.lineage);
          if (lineage === undefined) throw new Error(`lineage ${this.lineage} is held by another engine`);
        }
        const loaded = await this.load();
        this.install(loaded);
        this.stale = undefined;
        this.health?.report(ANALYSIS_DEPENDENCY, true, loaded.from);
        this.logger.log(`engine rebuilt after a failed write (attempt ${attempt}): ${loaded.from}`);
        return;
      } catch (error) {
        if (attempt === 1 || attempt % 30 === 0)
          this.logger.warn(`rebuilding the engine failed (attempt ${attempt}): ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, RECOVERY_RETRY_MS).unref());
      }
    }
  }

  /** Puts a loaded engine in service, with a writer of its own; nothing is in flight any more. */
  private install(loaded: Loaded): void {
    this.engine = loaded.engine;
    this.gate = loaded.gate;
    this.seq = loaded.seq;
    this.lastWrite = DONE;
    this.inFlightChanges.clear();
    this.reportDemotions();
    this.writer = new JournalWriter(
      this.dataSource,
      this.evidence,
      this.subscribers,
      this.recorder,
      this.lineage,
      (e) => this.behind(e),
    );
  }

  /**
   * The engine as the database holds it: the newest readable snapshot and the
   * journal after it; with no snapshot (a new lineage, or a database from before
   * the journal), rebuilt from the directory and the stored decisions.
   */
  private async load(): Promise<Loaded> {
    const started = Date.now();
    for (const snapshot of await this.evidence.snapshots(this.lineage)) {
      try {
        const [gatePart, ...engineParts] = await this.evidence.snapshotParts(snapshot.id);
        const options = await this.policies.imageOptions(engineParts, this.config.carrierId);
        const engine = AnalysisEngine.fromImage(options, engineParts);
        const gate = EventGate.fromImage(gateOptionsOf(this.config), gatePart);
        const loaded = { engine, gate, seq: snapshot.seq, fromSnapshot: true, from: '' };
        const replayed = await this.replay(loaded);
        const ms = Date.now() - started;
        loaded.from = `snapshot at journal ${snapshot.seq} and ${replayed} journal entries after it, in ${ms} ms`;
        return loaded;
      } catch (error) {
        this.logger.error(`snapshot ${snapshot.id} (journal ${snapshot.seq}) not usable: ${(error as Error).message}`);
      }
    }
    const engine = await this.rebuildFromDecisions();
    const gate = new EventGate(gateOptionsOf(this.config));
    const seq = await this.evidence.lastSeq(this.lineage);
    const from = `rebuilt from the stored decisions in ${Date.now() - started} ms`;
    return { engine, gate, seq, fromSnapshot: false, from };
  }

  /** Applies the journal after the loaded position, in order, as the live engine applied it. */
  private async replay(loaded: Loaded): Promise<number> {
    const { engine, gate } = loaded;
    return this.evidence.forEachAfter(this.lineage, loaded.seq, (rows) => {
      for (const row of rows) {
        replayJournalEntry(engine, gate, decodeJournalEntry(row.entry));
        loaded.seq = row.seq;
      }
    });
  }

  /**
   * The engine rebuilt from the subscriber directory, the stored decisions, the
   * open reviews, recent callee warnings, the registry copy and the error
   * budgets: what a lineage without a snapshot starts from.
   */
  private async rebuildFromDecisions(): Promise<AnalysisEngine> {
    const { active: policy, shadow } = await this.policies.assignedDocuments();
    const engine = new AnalysisEngine({ policy, shadow, carrier: this.config.carrierId });
    await this.subscribers.forEach((rows) => {
      for (const r of rows) {
        engine.process({
          type: 'subscriber',
          at: r.activatedAt.getTime(),
          msisdn: r.msisdn as Msisdn,
          carrier: this.config.carrierId,
          activatedAt: r.activatedAt.getTime(),
          realNameVerified: r.realNameVerified,
          profile: r.profile,
        });
      }
    });
    for (const a of await this.subscribers.attestedProfiles()) engine.declareProfile(a.msisdn as Msisdn, a.profile);
    const chances = await this.chancesUsed();
    await this.decisions.latestPerNumber((rows) => {
      // The latest decision's term (a restriction's expiry and renewals) is where the number's term stands.
      for (const r of rows) {
        const { msisdn, action, at, term, reasons } = r;
        engine.resume(msisdn as Msisdn, action, at.getTime(), chances.get(msisdn), term ?? undefined, reasons);
      }
    });
    // An open task keeps its number's review open: later evidence opens no second one.
    for (const task of await this.reviewTasks.open())
      engine.resumeReview(task.msisdn as Msisdn, task.openedAt.getTime());
    // A callee warned shortly before a restart is not warned again within the period.
    const protection = engine.primary.rules.calleeProtection;
    if (protection)
      for (const w of await this.decisions.recentCalleeWarnings(protection.warnEveryMs))
        engine.knowCalleeWarned(w.callee as Msisdn, w.at.getTime());
    for (const s of await this.registry.listed()) engine.knowRegistryStatus(s.msisdn as Msisdn, s.status);
    const budgets = await this.storedBudgets([
      { policy, shadow: false },
      ...(shadow ? [{ policy: shadow, shadow: true }] : []),
    ]);
    for (const b of budgets) engine.rebuildBudget(b.policyLabel, b.shadow, b.history, b.demoted, b.reenabled);
    return engine;
  }

  /**
   * Re-activation chances used per number, for the one-chance rule: the stored
   * restores and upheld appeals, read by their owners, the rule the domain's
   * (chancesUsed).
   */
  private async chancesUsed(): Promise<Map<string, number[]>> {
    const [restores, appeals] = await Promise.all([
      this.decisions.restores(),
      this.reactivations.upheldAppeals(this.dataSource.manager),
    ]);
    const upheld = byNumber(appeals, (a) => a.at.getTime());
    const histories = byNumber(restores, (r): StoredRestore => ({
      at: r.at.getTime(),
      previous: r.previous,
      reasons: r.reasons,
    }));
    const chances = new Map<string, number[]>();
    for (const [number, history] of histories) {
      const used = chancesUsed(history, upheld.get(number) ?? []);
      if (used.length > 0) chances.set(number, used);
    }
    return chances;
  }
}

/** A failed or refused write as the caller is answered: UNAVAILABLE, to be sent again. */
function unavailable(cause: Error): Error {
  if (cause instanceof AnalysisError) return cause;
  return new AnalysisError(
    'EVIDENCE_UNAVAILABLE',
    `the analysis cannot make changes durable now (${cause.message}); nothing was applied, send it again`,
  );
}

/** Rows grouped by their number, each mapped, in the order they came. */
function byNumber<R extends { msisdn: string }, T>(rows: readonly R[], map: (row: R) => T): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.msisdn);
    if (group) group.push(map(row));
    else groups.set(row.msisdn, [map(row)]);
  }
  return groups;
}
