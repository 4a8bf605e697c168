import { reviewState, toTimestamp, type carrier } from '@app/contracts';
import type { ReasonCode } from '@app/domain';
import { toWireReason } from '../decisions/decision.mapper';
import type { StoredReviewTask } from './review-task';

/** A review task on the wire (fraud.carrier.v1.ReviewTask): reasons in plain language, unset times while OPEN. */
export function toWireReviewTask(task: StoredReviewTask): carrier.ReviewTask {
  return {
    id: task.id,
    msisdn: task.msisdn,
    openedAt: toTimestamp(task.openedAt),
    decisionId: task.decisionId,
    reasons: task.reasons.map((code) => toWireReason(code as ReasonCode)),
    score: task.score,
    policy: task.policy,
    state: reviewState.toWire(task.state),
    decidedBy: task.decidedBy ?? '',
    decidedAt: task.decidedAt ? toTimestamp(task.decidedAt) : undefined,
    why: task.why ?? '',
  };
}
