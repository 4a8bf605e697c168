import { Injectable } from '@nestjs/common';
import {
  decodePageToken,
  encodePageToken,
  normaliseMsisdn,
  pageSize,
  ValidationError,
  ValidationErrorCode,
} from '@app/domain';
import { DecisionsRepository, type PagePosition, type StoredDecision, type StoredNotice } from './decisions.repository';

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

export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

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
    const after = positionOf(query.pageToken, DECISION_ID);
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
    const rows = await this.repository.noticesOf(msisdn, positionOf(query.pageToken, NOTICE_ID), limit + 1);
    return pageOf(rows, limit);
  }
}

/** One row more than the page was read: its presence says there is a next page. */
function pageOf<T extends { at: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextPageToken: rows.length > limit && last ? encodePageToken({ t: last.at.toISOString(), i: last.id }) : '',
  };
}

function positionOf(token: string | undefined, id: RegExp): PagePosition | undefined {
  const position = decodePageToken<{ t: string; i: string }>(token, { t: 'string', i: 'string' });
  if (!position) return undefined;
  const at = new Date(position.t);
  if (Number.isNaN(at.getTime()) || !id.test(position.i))
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'page.page_token',
      'is not a page token returned by this service',
    );
  return { at, id: position.i };
}
