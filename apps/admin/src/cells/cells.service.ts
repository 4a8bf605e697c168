import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CLOCK,
  contentHash,
  parseCellId,
  validateIdempotencyKey,
  ValidationError,
  ValidationErrorCode,
  type Clock,
} from '@app/domain';
import type { Principal } from '@app/grpc';
import { idempotentWrite } from '@app/persistence';
import { DirectivesService } from '../directives/directives.service';
import type { HighRiskCellList } from './cell-list';
import { CellsError } from './cells.errors';
import { CellsRepository, type CellChange } from './cells.repository';

export interface AddCellInput {
  idempotencyKey: string;
  cell: string;
  reason: string;
  /** Who asked for it, e.g. `police:chengdu`. */
  source: string;
  /** 1 to 365; 0 or absent: 90. */
  expiresInDays?: number;
}

export interface RemoveCellInput {
  idempotencyKey: string;
  cell: string;
  reason: string;
}

export interface CellListChange {
  list: HighRiskCellList;
  replayed: boolean;
}

export const DEFAULT_CELL_DAYS = 90;
export const MAX_CELL_DAYS = 365;
const DAY_MS = 86_400_000;
const MAX_REASON = 500;
const MAX_SOURCE = 128;

/**
 * The high-risk cell list. Every change is a new version, and in the same
 * transaction a directive with the whole new list for every carrier.
 */
@Injectable()
export class CellsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cells: CellsRepository,
    private readonly directives: DirectivesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async add(caller: Principal, input: AddCellInput): Promise<CellListChange> {
    const idempotencyKey = validateIdempotencyKey(input.idempotencyKey, 'idempotency_key');
    const cell = parseCellId(input.cell, 'cell');
    const reason = requiredText(input.reason, 'reason', MAX_REASON);
    const source = requiredText(input.source, 'source', MAX_SOURCE);
    const days = validateDays(input.expiresInDays);
    const now = this.clock.now();
    return this.change({
      idempotencyKey,
      contentHash: contentHash({ change: 'ADD', cell, reason, source, days }),
      cell,
      change: 'ADD',
      reason,
      source,
      actor: caller.subject,
      at: now,
      expiresAt: new Date(now.getTime() + days * DAY_MS),
    });
  }

  /** NOT_FOUND when the cell is not on the current list. */
  async remove(caller: Principal, input: RemoveCellInput): Promise<CellListChange> {
    const idempotencyKey = validateIdempotencyKey(input.idempotencyKey, 'idempotency_key');
    const cell = parseCellId(input.cell, 'cell');
    const reason = requiredText(input.reason, 'reason', MAX_REASON);
    return this.change({
      idempotencyKey,
      contentHash: contentHash({ change: 'REMOVE', cell, reason }),
      cell,
      change: 'REMOVE',
      reason,
      // A removal names no source of its own: the change records who made it.
      source: caller.subject,
      actor: caller.subject,
      at: this.clock.now(),
      expiresAt: null,
    });
  }

  /** The current unexpired list and its version. */
  list(): Promise<HighRiskCellList> {
    return this.cells.current(this.clock.now());
  }

  private async change(change: CellChange): Promise<CellListChange> {
    const { result, replayed } = await idempotentWrite({
      dataSource: this.dataSource,
      scope: 'admin.cells',
      key: change.idempotencyKey,
      contentHash: change.contentHash,
      // A replay answers the list as that change left it, which its directives hold.
      find: async (em) => {
        const earlier = await this.cells.changeByKey(em, change.idempotencyKey);
        if (!earlier) return undefined;
        const list =
          (await this.directives.cellListOfVersion(em, earlier.version)) ?? (await this.cells.current(change.at, em));
        return { contentHash: earlier.contentHash, result: { list, carriers: [] as string[] } };
      },
      reused: () =>
        new CellsError('KEY_REUSED', 'was already used for a different change of the list', 'idempotency_key'),
      apply: async (em) => {
        await this.cells.lockList(em);
        if (change.change === 'REMOVE' && !(await this.cells.isListed(em, change.cell, change.at))) {
          throw new CellsError('NOT_LISTED', `${change.cell} is not on the high-risk cell list`, 'cell');
        }
        await this.cells.apply(em, change);
        const list = await this.cells.current(change.at, em);
        return { list, carriers: await this.directives.issueCellLists(em, list, change.actor) };
      },
    });
    this.directives.notify(result.carriers);
    return { list: result.list, replayed };
  }
}

function requiredText(input: string | undefined, field: string, max: number): string {
  const text = (input ?? '').trim();
  if (!text) throw new ValidationError(ValidationErrorCode.Required, field, `a ${field} is required`);
  if (text.length > max) throw new ValidationError(ValidationErrorCode.OutOfRange, field, `at most ${max} characters`);
  return text;
}

function validateDays(days: number | undefined): number {
  if (days === undefined || days === 0) return DEFAULT_CELL_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_CELL_DAYS) {
    throw new ValidationError(
      ValidationErrorCode.OutOfRange,
      'expires_in_days',
      `must be 1 to ${MAX_CELL_DAYS} days (default ${DEFAULT_CELL_DAYS})`,
    );
  }
  return days;
}
