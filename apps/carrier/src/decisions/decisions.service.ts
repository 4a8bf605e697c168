import { Injectable } from '@nestjs/common';
import { decodeTimePosition, normaliseMsisdn, pageAfter, pageSize, type Page, type TimePosition } from '@app/domain';
import { DecisionsRepository, type StoredDecision, type StoredNotice } from './decisions.repository';

export interface DecisionQuery {
  msisdn?: string;
  includeShadow: boolean;
  since?: Date;
  pageSize?: number;
  pageToken?: string;
}

export interface NoticeQuery {
  msisdn?: string;
  pageSize?: number;
  pageToken?: string;
}

export type { Page };

const PAGE = { default: 100, max: 500 };
const DECISION_ID = /^[0-9a-f]{32}$/;
const NOTICE_ID = /^[1-9]\d{0,18}$/;

/** Decisions and notices as customer service, the administration and analysts read them. */
@Injectable()
export class DecisionsService {
  constructor(private readonly repository: DecisionsRepository) {}

  /** Decisions newest first: one number's or every number's, shadow ones on request. */
  async decisions(query: DecisionQuery): Promise<Page<StoredDecision>> {
    const msisdn = query.msisdn ? normaliseMsisdn(query.msisdn, 'msisdn') : undefined;
    const limit = pageSize(query.pageSize, PAGE);
    const after = decodeTimePosition(query.pageToken, DECISION_ID);
    const rows = await this.repository.page(
      { msisdn, includeShadow: query.includeShadow, since: query.since, after },
      limit + 1,
    );
    return pageOf(rows, limit);
  }

  /** The notices a number was sent (or is about to be), newest first. */
  async notices(query: NoticeQuery): Promise<Page<StoredNotice>> {
    const msisdn = normaliseMsisdn(query.msisdn, 'msisdn');
    const limit = pageSize(query.pageSize, PAGE);
    const rows = await this.repository.noticesOf(msisdn, decodeTimePosition(query.pageToken, NOTICE_ID), limit + 1);
    return pageOf(rows, limit);
  }
}

/** One row more than the page was read: its presence says there is a next page. */
function pageOf<T extends TimePosition>(rows: T[], limit: number): Page<T> {
  return pageAfter(rows, limit, (last) => ({ t: last.at.toISOString(), i: last.id }));
}
