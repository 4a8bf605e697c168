import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { AuditEntry, AuditSink } from '@app/grpc';
import { errorCode, outsideTransaction } from '@app/persistence';
import { asHashed, chainHash, GENESIS_HASH, type AuditRecord } from './audit-chain';
import type { AuditEventEntity } from './audit-event.entity';
import { auditDetail, auditTarget, auditText, escapeAuditText } from './audit-text';
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
    // Escaped and cut to the columns' sizes: a caller's raw input (a NUL, an over-long value)
    // must not make its line unwritable.
    const record: AuditRecord = {
      at: new Date(),
      actor: auditText(entry.actor, 128),
      role: auditText(entry.role, 64),
      action: auditText(entry.action, 160),
      target: entry.target === undefined ? null : auditTarget(entry.target),
      purpose: entry.purpose === undefined ? null : auditText(entry.purpose, 500),
      caseId: entry.caseId === undefined ? null : auditText(entry.caseId, 64),
      outcome: auditText(entry.outcome, 32),
      detail: auditDetail(entry.detail),
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
        await this.append(group);
        group.forEach((p) => p.done());
      } catch (error) {
        if (group.length > 1 && isDataError(error)) {
          // One line the database refuses must not take the others with it.
          this.logger.warn(
            `audit append of ${group.length} lines failed (${(error as Error).message}): writing them one by one`,
          );
          await this.appendOneByOne(group);
        } else {
          this.logger.error(`audit append failed: ${(error as Error).message}`);
          group.forEach((p) => p.done(error));
        }
      }
    }
    this.flushing = null;
  }

  private async appendOneByOne(group: Pending[]): Promise<void> {
    for (let i = 0; i < group.length; i++) {
      const pending = group[i];
      try {
        await this.append([pending]);
        pending.done();
      } catch (error) {
        const { action, actor, outcome } = pending.record;
        this.logger.error({
          msg: 'audit line lost: the database refused it',
          action,
          actor,
          outcome,
          error: (error as Error).message,
        });
        pending.done(error);
        // The database itself is failing now, not one line: the rest fail alike without a round each.
        if (!isDataError(error)) {
          group.slice(i + 1).forEach((p) => p.done(error));
          return;
        }
      }
    }
  }

  private append(group: Pending[]): Promise<void> {
    return this.repository.append(
      group.map((p) => p.record),
      chainHash,
      GENESIS_HASH,
    );
  }

  /**
   * Lines matching the filter, oldest first. A value matches what was sent (it is
   * escaped as lines are; a number in E.164, whichever form it is given in) or
   * what is shown, the stored text itself: an auditor may paste a line's escaped
   * target, since a request holding the raw control characters is refused.
   */
  list(filter: AuditFilter, limit: number): Promise<AuditEventEntity[]> {
    const stored = (value: string | undefined, as = escapeAuditText) =>
      value === undefined ? undefined : [...new Set([as(value), value])];
    return this.repository.list(
      {
        ...filter,
        actor: stored(filter.actor),
        action: stored(filter.action),
        outcome: stored(filter.outcome),
        target: stored(filter.target, auditTarget),
      },
      limit,
    );
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
        const hashed = asHashed(row);
        if (row.prevHash !== prevHash || hashed === undefined || chainHash(prevHash, hashed) !== row.hash) {
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

/** SQLSTATE classes 22 (data exception) and 23 (integrity): the line, not the database, is at fault. */
function isDataError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}
