import { Injectable } from '@nestjs/common';
import {
  decodeTimePosition,
  normaliseMsisdn,
  pageAfter,
  pageSize,
  validatePurpose,
  ValidationError,
  ValidationErrorCode,
  type RegistryStatus,
  type TimePosition,
} from '@app/domain';
import type { FlagEntity } from '../flags/flag.entity';
import { FlagsRepository } from '../flags/flags.repository';
import { NumbersRepository, type StatusChange } from '../numbers/numbers.repository';
import type { VerificationEntity } from '../verification/verification.entity';
import { VerificationRepository } from '../verification/verification.repository';

export type HistoryItem =
  | { kind: 'flag'; at: Date; id: string; flag: FlagEntity }
  | { kind: 'verification'; at: Date; id: string; verification: VerificationEntity }
  | { kind: 'status_change'; at: Date; id: string; change: StatusChange };

export interface NumberRecord {
  msisdn: string;
  status: RegistryStatus;
  version: number;
  history: HistoryItem[];
  nextPageToken: string;
}

export interface RecordQuery {
  msisdn: string;
  purpose: string;
  caseId: string;
  pageSize?: number;
  pageToken?: string;
}

/** Order within one instant: a flag, then a verification, then the change they caused. */
const RANK: Record<HistoryItem['kind'], number> = { flag: 0, verification: 1, status_change: 2 };
const MAX_ID = '9223372036854775807';

/** The ids of the three sources: bigint keys. */
const HISTORY_ID = /^\d{1,19}$/;

@Injectable()
export class RecordsService {
  constructor(
    private readonly flags: FlagsRepository,
    private readonly verifications: VerificationRepository,
    private readonly numbers: NumbersRepository,
  ) {}

  /** Validates the query: the number, and a purpose for the audit log. */
  validate(query: RecordQuery): { msisdn: string; purpose: string; caseId: string } {
    const msisdn = normaliseMsisdn(query.msisdn, 'msisdn');
    const purpose = validatePurpose(query.purpose, 'the record is read (e.g. "customer complaint 2024-0117")');
    if (query.caseId && query.caseId.length > 64)
      throw new ValidationError(ValidationErrorCode.OutOfRange, 'case_id', 'at most 64 characters');
    return { msisdn, purpose, caseId: query.caseId ?? '' };
  }

  /** The number's history from its three sources, merged in time order and paged by keyset. */
  async record(query: RecordQuery): Promise<NumberRecord> {
    const { msisdn } = this.validate(query);
    const limit = pageSize(query.pageSize, { default: 100, max: 500 });
    const position = decodeTimePosition<{ r: number }>(query.pageToken, HISTORY_ID, { r: 'number' });
    const after = (rank: number) => afterFor(position, rank);
    const [flags, verifications, changes, state] = await Promise.all([
      this.flags.pageOf(msisdn, after(RANK.flag), limit + 1),
      this.verifications.pageOf(msisdn, after(RANK.verification), limit + 1),
      this.numbers.pageOf(msisdn, after(RANK.status_change), limit + 1),
      this.numbers.stateOf(msisdn),
    ]);
    const merged: HistoryItem[] = [
      ...flags.map((flag): HistoryItem => ({ kind: 'flag', at: flag.receivedAt, id: flag.id, flag })),
      ...verifications.map((verification): HistoryItem => ({
        kind: 'verification',
        at: verification.verifiedAt,
        id: verification.id,
        verification,
      })),
      ...changes.map((change): HistoryItem => ({
        kind: 'status_change',
        at: change.changedAt,
        id: String(change.version),
        change,
      })),
    ].sort(compareItems);
    const { items: history, nextPageToken } = pageAfter(merged, limit, (last) => ({
      t: last.at.toISOString(),
      r: RANK[last.kind],
      i: last.id,
    }));
    return { msisdn, status: state.status, version: state.version, history, nextPageToken };
  }
}

/** The keyset bound for one source, given the position of the last item returned (r: its source's rank). */
function afterFor(position: (TimePosition & { r: number }) | undefined, rank: number): TimePosition | null {
  if (!position) return null;
  const { at } = position;
  // Ids start at 1, so (time, id) > (t, 0) means time >= t.
  if (rank > position.r) return { at, id: '0' };
  if (rank < position.r) return { at, id: MAX_ID };
  return { at, id: position.id };
}

function compareItems(a: HistoryItem, b: HistoryItem): number {
  return a.at.getTime() - b.at.getTime() || RANK[a.kind] - RANK[b.kind] || compareIds(a.id, b.id);
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
