import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { AuditEntry, AuditSink } from '@app/grpc';
import { outsideTransaction } from '@app/persistence';
import { chainHash, GENESIS_HASH, type AuditRecord } from './audit-chain';
import type { AuditEventEntity } from './audit-event.entity';
import { AuditRepository, type AuditFilter } from './audit.repository';

interface Pending {
  record: AuditRecord;
  done: (error?: unknown) => void;
}

export interface ChainVerification {
  intact: boolean;
  eventsChecked: number;
  firstBrokenId: string | null;
}

const MAX_GROUP = 500;

/**
 * The append-only audit log. Writers queue their lines and one flush at a time
 * appends everything queued in a single transaction (group commit), so a burst of
 * audited calls costs one round of locking, not one per call. `record` resolves
 * once the line is durable.
 */
@Injectable()
export class AuditLog implements AuditSink, OnApplicationShutdown {
  private readonly logger = new Logger(AuditLog.name);
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly repository: AuditRepository) {}

  record(entry: AuditEntry): Promise<void> {
    // Cut to the columns' sizes: one over-long value (a caller's raw input) must not fail the group it is written with.
    const record: AuditRecord = {
      at: new Date(),
      actor: clip(entry.actor, 128),
      role: clip(entry.role, 64),
      action: clip(entry.action, 160),
      target: entry.target === undefined ? null : clip(entry.target, 32),
      purpose: entry.purpose === undefined ? null : clip(entry.purpose, 500),
      caseId: entry.caseId === undefined ? null : clip(entry.caseId, 64),
      outcome: clip(entry.outcome, 32),
      detail: entry.detail ?? {},
    };
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, done: (error) => (error ? reject(error) : resolve()) });
      // The flush appends for every writer in a transaction of its own, whoever happens to start it.
      this.flushing ??= outsideTransaction(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, MAX_GROUP);
      try {
        await this.repository.append(group.map((p) => p.record), chainHash, GENESIS_HASH);
        group.forEach((p) => p.done());
      } catch (error) {
        this.logger.error(`audit append failed: ${(error as Error).message}`);
        group.forEach((p) => p.done(error));
      }
    }
    this.flushing = null;
  }

  list(filter: AuditFilter, limit: number): Promise<AuditEventEntity[]> {
    return this.repository.list(filter, limit);
  }

  /** Recomputes every hash from the first line: any edit, deletion or reordering shows. */
  async verifyChain(): Promise<ChainVerification> {
    let prevHash = GENESIS_HASH;
    let afterId = '0';
    let eventsChecked = 0;
    for (;;) {
      const page = await this.repository.chainPage(afterId, 5000);
      for (const row of page) {
        eventsChecked++;
        if (row.prevHash !== prevHash || chainHash(prevHash, row) !== row.hash) {
          return { intact: false, eventsChecked, firstBrokenId: row.id };
        }
        prevHash = row.hash;
      }
      if (page.length < 5000) return { intact: true, eventsChecked, firstBrokenId: null };
      afterId = page[page.length - 1].id;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing;
  }
}

function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
