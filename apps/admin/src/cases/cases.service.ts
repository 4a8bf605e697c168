import { Injectable } from '@nestjs/common';
import { caseStatus } from '@app/contracts';
import {
  decodeTimePosition,
  pageAfter,
  pageSize,
  ValidationError,
  ValidationErrorCode,
  type Msisdn,
} from '@app/domain';
import { CaseStatus, type CaseFile } from './case';
import { CASE_ID } from './case-id';
import { CaseTracker } from './case-tracker.service';
import { CasesRepository } from './cases.repository';

export interface CaseQuery {
  /** OPEN, RESOLVED or ESCALATED (or the proto's CASE_STATUS_ names); absent: all. */
  status?: string;
  pageSize?: number;
  pageToken?: string;
}

export interface CasePage {
  cases: CaseFile[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/** Cases carry their events: pages stay small. */
const PAGE = { default: 50, max: 200 };

@Injectable()
export class CasesService {
  constructor(
    private readonly cases: CasesRepository,
    private readonly tracker: CaseTracker,
  ) {}

  /** Cases newest first (by opening), after the tracker has caught up with what is stored. */
  async list(query: CaseQuery): Promise<CasePage> {
    const status = query.status ? caseStatusOf(query.status) : undefined;
    const limit = pageSize(query.pageSize, PAGE);
    const position = decodeTimePosition(query.pageToken, CASE_ID);
    await this.tracker.catchUp();
    const rows = await this.cases.page(status, position && { openedAt: position.at, caseId: position.id }, limit + 1);
    const { items, nextPageToken } = pageAfter(rows, limit, (c) => ({ t: c.openedAt.toISOString(), i: c.caseId }));
    return { cases: items, nextPageToken };
  }

  /** The number's unresolved case, else its latest; undefined when it never had one. */
  async caseOf(msisdn: Msisdn): Promise<CaseFile | undefined> {
    await this.tracker.catchUp();
    return this.cases.latestOf(msisdn);
  }
}

function caseStatusOf(input: string): CaseStatus {
  const name = caseStatus.name(input) ?? '';
  if (!(Object.values(CaseStatus) as string[]).includes(name)) {
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'status',
      `"${input.slice(0, 32)}" is not a case status: use one of ${Object.values(CaseStatus).join(', ')}`,
    );
  }
  return name as CaseStatus;
}
