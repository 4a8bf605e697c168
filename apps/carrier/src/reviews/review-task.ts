/** A review task's state: OPEN, decided by a person (SUSPENDED, RESTORED), or CLOSED without a step. */
export type ReviewState = 'OPEN' | 'SUSPENDED' | 'RESTORED' | 'CLOSED';

/** A review task as stored (review_task). */
export interface StoredReviewTask {
  id: string;
  msisdn: string;
  openedAt: Date;
  decisionId: string;
  reasons: string[];
  score: number;
  policy: string;
  state: ReviewState;
  decidedBy: string | null;
  decidedAt: Date | null;
  why: string | null;
}

/** Where a page of the oldest-first listing ended: the last task's opening time and id. */
export interface PageCursor {
  at: Date;
  id: string;
}
