import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  AnalysisEngine,
  chancesUsed,
  CLOCK,
  EventGate,
  policyLabel,
  type Clock,
  type CalleeWarning,
  type CarrierEvent,
  type Decision,
  type EngineResult,
  type EngineView,
  type Msisdn,
  type PolicyDocument,
  type RuleDemotion,
  type StoredRestore,
  type SubscriberEvent,
} from '@app/domain';
import type { TransactionHooks } from '@app/persistence';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { DecisionRecorder } from '../decisions/decision-recorder.service';
import { DecisionsRepository } from '../decisions/decisions.repository';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { RuleBudgetRepository } from '../rule-budget/rule-budget.repository';
import { PoliciesRepository } from '../policies/policies.repository';
import { ReactivationRepository } from '../reactivation/reactivation.repository';
import { RegistryLinkRepository } from '../registry-link/registry-link.repository';
import { ReviewTasksRepository } from '../reviews/review-tasks.repository';
import { SubscribersRepository } from '../subscribers/subscribers.repository';

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
}

const DONE: Promise<void> = Promise.resolve();
const EVICT_EVERY_MS = 10 * 60_000;
const POLICY_SYNC_MS = 5_000;

/**
 * The carrier's analysis: one engine in memory (single-threaded, so every
 * event sees the state of the one before), rebuilt at start-up from the
 * subscriber directory, the stored decisions and the local registry copy.
 * Decisions it yields are made durable before callers are answered.
 */
@Injectable()
export class AnalysisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AnalysisService.name);
  private engine!: AnalysisEngine;
  private gate!: EventGate;
  private timer: NodeJS.Timeout | null = null;
  private policyTimer: NodeJS.Timeout | null = null;
  /** Batches' writes not yet durable. */
  private readonly inFlight = new Set<Promise<void>>();
  /** The last subscriber directory write: the next one starts after it. */
  private directoryWrites: Promise<void> = Promise.resolve();

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
  ) {}

  async onModuleInit(): Promise<void> {
    const { active, shadow } = await this.policies.current();
    const policy = await this.loadPolicy(active);
    this.engine = new AnalysisEngine({
      policy,
      shadow: shadow && (await this.loadPolicy(shadow)),
      carrier: this.config.carrierId,
    });
    this.gate = new EventGate({ latenessMs: this.config.latenessMs, maxAheadMs: this.config.maxAheadMs });
    let subscribers = 0;
    await this.subscribers.forEach((rows) => {
      subscribers += rows.length;
      for (const r of rows) {
        this.engine.process({
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
    for (const a of await this.subscribers.attestedProfiles())
      this.engine.declareProfile(a.msisdn as Msisdn, a.profile);
    const chances = await this.chancesUsed();
    await this.decisions.latestPerNumber((rows) => {
      // The latest decision's term (a restriction's expiry and renewals) is where the number's term stands.
      for (const r of rows) {
        const { msisdn, action, at, term, reasons } = r;
        this.engine.resume(msisdn as Msisdn, action, at.getTime(), chances.get(msisdn), term ?? undefined, reasons);
      }
    });
    // An open task keeps its number's review open: later evidence opens no second one.
    let reviews = 0;
    for (const task of await this.reviewTasks.open())
      if (this.engine.resumeReview(task.msisdn as Msisdn, task.openedAt.getTime())) reviews++;
    // A callee warned shortly before a restart is not warned again within the period.
    const protection = this.engine.primary.rules.calleeProtection;
    if (protection)
      for (const w of await this.decisions.recentCalleeWarnings(protection.warnEveryMs))
        this.engine.knowCalleeWarned(w.callee as Msisdn, w.at.getTime());
    const statuses = await this.registry.listed();
    for (const s of statuses) this.engine.knowRegistryStatus(s.msisdn as Msisdn, s.status);
    await this.rebuildBudgets();
    const policies = `policy ${policyLabel(policy)}${shadow ? `, shadow ${policyLabel(shadow)}` : ''}`;
    this.logger.log(
      `analysis ready: ${subscribers} subscribers, ${statuses.length} registry entries, ` +
        `${reviews} open reviews, ${policies}`,
    );
    this.timer = setInterval(() => this.evictIdle(), EVICT_EVERY_MS);
    this.timer.unref();
    this.policyTimer = setInterval(
      () => void this.syncPolicies().catch((e: Error) => this.logger.warn(`policy sync failed: ${e.message}`)),
      POLICY_SYNC_MS,
    );
    this.policyTimer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.policyTimer) clearInterval(this.policyTimer);
  }

  /**
   * Follows policy switches made through another replica of this carrier: the
   * stored assignment is the truth, checked every few seconds.
   */
  async syncPolicies(): Promise<void> {
    const { active, shadow } = await this.policies.current();
    const want = [`${active.name}@${active.version}`, shadow ? `${shadow.name}@${shadow.version}` : ''];
    const have = [this.engine.primary.label, this.engine.shadow?.label ?? ''];
    if (want[0] === have[0] && want[1] === have[1]) return;
    this.usePolicies(await this.loadPolicy(active), shadow && (await this.loadPolicy(shadow)));
  }

  /** Analyses a batch of events in order and records the decisions they lead to. */
  async ingest(events: readonly CarrierEvent[]): Promise<IngestOutcome> {
    const { outcome, durable } = this.analyse(events);
    await durable;
    return outcome;
  }

  /**
   * Analyses a batch now (the engine's state moves on at once) and starts the
   * writes it leads to; `durable` resolves once they are committed. Directory
   * writes are chained, so the same number's records land in arrival order.
   */
  analyse(events: readonly CarrierEvent[]): { outcome: IngestOutcome; durable: Promise<void> } {
    const outcome: IngestOutcome = {
      accepted: 0,
      duplicates: 0,
      late: [],
      future: [],
      decisions: [],
      calleeWarnings: [],
      demotions: [],
    };
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
        if (event.type === 'subscriber') directory.push(event);
        const { decisions, calleeWarnings, demotions } = this.engine.process(event);
        if (decisions.length > 0) outcome.decisions.push(...decisions);
        if (calleeWarnings) outcome.calleeWarnings.push(...calleeWarnings);
        if (demotions) outcome.demotions.push(...demotions);
      }
    }
    const writes: Promise<void>[] = [];
    if (directory.length > 0) {
      const upsert = this.directoryWrites.then(() => this.subscribers.upsert(directory));
      this.directoryWrites = upsert.catch(() => undefined);
      writes.push(upsert);
    }
    const { decisions, calleeWarnings, demotions } = outcome;
    if (decisions.length > 0 || calleeWarnings.length > 0 || demotions.length > 0)
      writes.push(this.recorder.record(decisions, { calleeWarnings, demotions, rules: this.engine.primary.rules }));
    // A retried event's first copy may still be on its way to the database (a concurrent retry of a stream):
    // the retry is answered once what was in flight when it arrived is durable, as the first copy's stream is.
    if (outcome.duplicates > 0) writes.push(...this.inFlight);
    const durable =
      writes.length === 0 ? DONE : writes.length === 1 ? writes[0] : Promise.all(writes).then(() => undefined);
    if (durable !== DONE) {
      this.inFlight.add(durable);
      const settled = () => void this.inFlight.delete(durable);
      durable.then(settled, settled);
    }
    return { outcome, durable };
  }

  /** Applies what an engine call decided, durably. */
  async apply(step: (engine: AnalysisEngine) => EngineResult): Promise<EngineResult> {
    const result = step(this.engine);
    const { calleeWarnings, demotions } = result;
    await this.recorder.record(result.decisions, { calleeWarnings, demotions, rules: this.engine.primary.rules });
    return result;
  }

  /**
   * Applies an engine call about one number as part of the caller's transaction:
   * its decisions are written with the transaction, and the number is taken back
   * to where it stood if the transaction does not commit, so memory and database
   * never tell two stories. Should the number have changed again in between
   * (another event), the call's decisions are recorded on their own instead.
   */
  async applyInTransaction(
    em: EntityManager,
    hooks: TransactionHooks,
    msisdn: Msisdn,
    step: (engine: AnalysisEngine) => EngineResult,
  ): Promise<EngineResult> {
    const before = this.engine.checkpoint(msisdn);
    const result = step(this.engine);
    const after = this.engine.checkpoint(msisdn);
    hooks.onRollback(() => {
      if (this.engine.rollBack(before, after)) {
        // The number goes back; a reason its step demoted stays demoted in memory, so it is recorded on its own.
        if (result.demotions)
          this.recorder
            .record([], { demotions: result.demotions })
            .catch((error: Error) =>
              this.logger.error(`recording the demotions of a rolled-back step failed: ${error.message}`),
            );
        return;
      }
      this.logger.warn(
        `${msisdn} changed again before its transaction failed, so the change stays in memory; ` +
          `its ${result.decisions.length} decision(s) are recorded on their own`,
      );
      if (result.decisions.length > 0 || result.demotions) {
        this.recorder
          .record(result.decisions, { demotions: result.demotions, rules: this.engine.primary.rules })
          .catch((error: Error) => this.logger.error(`recording the decisions of ${msisdn} failed: ${error.message}`));
      }
    });
    await this.recorder.recordIn(em, hooks, result.decisions, {
      rules: this.engine.primary.rules,
      demotions: result.demotions,
    });
    return result;
  }

  /** Read-only access for call setup, explanations and checks (memory only): changes go through apply. */
  get state(): EngineView {
    return this.engine;
  }

  /** Switches the active and shadow policies without losing any number's step. */
  usePolicies(active: PolicyDocument, shadow: PolicyDocument | undefined): void {
    const before = [this.engine.primary.label, this.engine.shadow?.label];
    this.engine.usePolicies(active, shadow);
    // A policy that starts running here brings back its stored demotions and counts (its budget is its own).
    if (before[0] !== this.engine.primary.label || before[1] !== this.engine.shadow?.label)
      void this.rebuildBudgets().catch((e: Error) => this.logger.warn(`rebuilding error budgets failed: ${e.message}`));
    this.logger.log(
      `policy ${active.name}@${active.version}${shadow ? `, shadow ${shadow.name}@${shadow.version}` : ''}`,
    );
  }

  /**
   * Each running ladder's error budget from the database: its demotions in
   * force put back (re-enabled ones not), its counts rebuilt from its stored
   * decisions of the last window (the domain's ruleBudgetFrom).
   */
  private async rebuildBudgets(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const ladder of [this.engine.primary, this.engine.shadow]) {
      const rules = ladder?.rules.errorBudget;
      if (!ladder || !rules) continue;
      const { label, shadow } = ladder;
      const [history, demoted, reenabled] = await Promise.all([
        this.decisions.budgetHistory(label, shadow, new Date(now - rules.windowMs)),
        this.ruleBudgets.inForce(label, shadow),
        this.ruleBudgets.latestReenables(label, shadow),
      ]);
      // A policy with nothing stored yet keeps the budget it started with (and what it counted meanwhile).
      if (history.length === 0 && demoted.length === 0 && reenabled.length === 0) continue;
      this.engine.rebuildBudget(
        label,
        shadow,
        history.map((d) => ({ ...d, at: d.at.getTime() })),
        demoted.map((d) => ({ reason: d.reason, since: d.demotedAt.getTime() })),
        reenabled.map((r) => ({ reason: r.reason, at: r.at.getTime() })),
      );
      for (const d of demoted) this.metrics.ruleDemotedState(label, d.reason, shadow, true);
      if (demoted.length > 0)
        this.logger.log(`${label}${shadow ? ' (shadow)' : ''}: demoted ${demoted.map((d) => d.reason).join(', ')}`);
    }
  }

  private evictIdle(): void {
    // Idle by event time, up to the gate's newest mark (which no future-dated event can move past the clock).
    const newest = this.gate.newest;
    if (!Number.isFinite(newest)) return;
    const evicted = this.engine.evictIdle(newest - this.config.idleEvictionMs);
    if (evicted > 0) this.logger.log(`forgot the activity of ${evicted} idle numbers`);
  }

  private async loadPolicy(ref: { name: string; version: number }): Promise<PolicyDocument> {
    const stored = await this.policies.find(ref.name, ref.version);
    if (!stored) throw new Error(`policy ${ref.name}@${ref.version} is assigned but not stored`);
    return stored.document;
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
