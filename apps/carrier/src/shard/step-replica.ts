import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  Action,
  KNOWN_CONTACT_DAYS,
  levelAt,
  msisdnKey,
  toSec,
  type CarrierId,
  type EngineView,
  type Features,
  type LadderView,
  type Msisdn,
  type RegistryMark,
  type Subscriber,
} from '@app/domain';
import { outsideTransaction } from '@app/persistence';

/** How often the other shards' new rows are read. */
const FOLLOW_MS = 50;

interface Step {
  level: Action;
  since: number;
  termEnds: number;
  /** Peer key → the latest time (seconds) the number called, texted or heard from it; undefined: not kept. */
  contacts: Map<number, number> | undefined;
}

interface StepRow {
  msisdn: string;
  shard: number;
  seq: string;
  level: Action;
  since_ms: string;
  term_ends_ms: string | null;
  contacts: [number, number][] | null;
}

/**
 * Every number's step as its shard last made it durable (number_step), followed by every shard process: call setup
 * for a number another shard keeps is answered from this copy, from memory. Each shard writes its rows in log order,
 * so following each shard's rows after the last sequence read misses none. A copy is as fresh as the last read
 * (FOLLOW_MS) and never ahead of the database.
 */
export class StepReplica {
  private readonly logger = new Logger('StepReplica');
  private readonly steps = new Map<string, Step>();
  private readonly after = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Reads every stored step, then follows new ones until stop(). */
  async start(): Promise<void> {
    await this.read();
    this.timer = setInterval(() => {
      this.reading ??= this.read()
        .then(() => {
          if (this.failing) this.logger.log('following the shards’ steps again');
          this.failing = false;
        })
        .catch((error: Error) => {
          if (!this.failing) this.logger.warn(`cannot read the shards’ steps: ${error.message}`);
          this.failing = true;
        })
        .finally(() => (this.reading = undefined));
    }, FOLLOW_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.reading?.catch(() => undefined);
  }

  /** The step of `msisdn` at `atMs` by Ladder.levelOf's rule (the registry's word on `confirmed`). */
  levelOf(msisdn: string, atMs: number, confirmed: boolean, quietResetMs: number): Action {
    const step = this.steps.get(msisdn);
    return step ? levelAt(step, atMs, confirmed, quietResetMs) : Action.None;
  }

  /**
   * Whether `msisdn` called, texted or heard from `peer` within KNOWN_CONTACT_DAYS before `atMs`, by its own memory
   * as its shard last wrote it (AnalysisEngine.contactsOf); undefined when its contacts are not kept here.
   */
  knows(msisdn: string, peer: Msisdn, atMs: number): boolean | undefined {
    const contacts = this.steps.get(msisdn)?.contacts;
    if (!contacts) return undefined;
    const at = contacts.get(msisdnKey(peer));
    return at !== undefined && at >= toSec(atMs) - KNOWN_CONTACT_DAYS * 86_400;
  }

  private async read(): Promise<void> {
    const shards = [...this.after];
    const rows: StepRow[] = await outsideTransaction(() =>
      this.dataSource.query(
        shards.length === 0
          ? `SELECT msisdn, shard, seq, level, since_ms, term_ends_ms, contacts FROM number_step`
          : `SELECT msisdn, shard, seq, level, since_ms, term_ends_ms, contacts FROM number_step
             WHERE seq > coalesce(($1::jsonb ->> shard::text)::bigint, 0) ORDER BY shard, seq`,
        shards.length === 0 ? [] : [JSON.stringify(Object.fromEntries(shards))],
      ),
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      this.steps.set(row.msisdn, {
        level: row.level,
        since: Number(row.since_ms),
        termEnds: row.term_ends_ms === null ? Number.POSITIVE_INFINITY : Number(row.term_ends_ms),
        contacts: row.contacts === null ? undefined : new Map(row.contacts),
      });
      if (seq > (this.after.get(row.shard) ?? 0)) this.after.set(row.shard, seq);
    }
  }
}

/**
 * Call setup's view of a caller another shard keeps: its step from the StepReplica, the registry's marks and the
 * policy from this shard (they are whole on every shard). A verdict that needs its contacts
 * (a restricted caller, or a warned one under calleeProtection) reads the contacts its shard wrote with its step
 * (the caller's own memory of them); where none were written, it sets `contactsAsked` and is asked of the owner.
 */
export class ReplicaCallView implements EngineView {
  contactsAsked = false;

  constructor(
    private readonly local: EngineView,
    private readonly replica: StepReplica,
  ) {}

  get primary(): LadderView {
    return this.local.primary;
  }

  get shadow(): LadderView | undefined {
    return this.local.shadow;
  }

  levelOf(msisdn: Msisdn, atMs: number): Action {
    return this.replica.levelOf(msisdn, atMs, this.isConfirmedFraud(msisdn), this.local.primary.rules.quietResetMs);
  }

  registryStatusOf(msisdn: Msisdn): RegistryMark | undefined {
    return this.local.registryStatusOf(msisdn);
  }

  isConfirmedFraud(msisdn: Msisdn): boolean {
    return this.local.isConfirmedFraud(msisdn);
  }

  knows(msisdn: Msisdn, peer: Msisdn, atMs: number): boolean {
    const known = this.replica.knows(msisdn, peer, atMs);
    if (known === undefined) this.contactsAsked = true;
    return known ?? false;
  }

  subscriberOf(msisdn: Msisdn): Readonly<Subscriber & { carrier: CarrierId }> | undefined {
    return this.local.subscriberOf(msisdn);
  }

  isHighRiskCell(cell: string, atMs: number): boolean {
    return this.local.isHighRiskCell(cell, atMs);
  }

  features(): Features {
    throw new Error('a number another shard keeps is measured there');
  }
}
