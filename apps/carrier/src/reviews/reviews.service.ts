import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CLOCK,
  contentHash,
  decodeTimePosition,
  pageAfter,
  pageSize,
  validateIdempotencyKey,
  ValidationError,
  ValidationErrorCode,
  type Action,
  type Clock,
  type Msisdn,
  type Page,
  type ReviewOutcome,
} from '@app/domain';
import type { Principal } from '@app/grpc';
import { idempotentRequest } from '@app/persistence';
import { AnalysisService } from '../analysis/analysis.service';
import { redactNationalIds } from '../reactivation/national-id';
import { textField } from '../requests/text-field';
import { ReviewsError } from './reviews.errors';
import { ReviewTasksRepository } from './review-tasks.repository';
import type { ReviewState, StoredReviewTask } from './review-task';

export interface ReviewQuery {
  /** Undefined: every state. */
  state?: ReviewState;
  pageSize?: number;
  pageToken?: string;
}

export interface DecisionInput {
  taskId: string;
  /** Undefined when the caller gave none (or UNSPECIFIED). */
  outcome: ReviewOutcome | undefined;
  why: string;
  requestId: string;
}

export interface ReviewDecided {
  task: StoredReviewTask;
  /** The number's step on the active ladder once decided (a replay answers the first call's). */
  state: Action;
  replayed: boolean;
}

interface ValidDecision {
  taskId: string;
  outcome: ReviewOutcome;
  why: string;
  idempotencyKey: string;
  contentHash: string;
}

const PAGE = { default: 100, max: 500 };
const TASK_ID = /^[1-9]\d{0,18}$/;
const DECIDED: Record<ReviewOutcome, Exclude<ReviewState, 'OPEN'>> = { SUSPEND: 'SUSPENDED', RESTORE: 'RESTORED' };

/**
 * Review tasks: suspensions of long-held real-name numbers held back at
 * RESTRICT for a person (policy.humanReview), listed for the carrier's staff
 * and decided once each, with who, when and why.
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly analysis: AnalysisService,
    private readonly tasks: ReviewTasksRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Tasks oldest first (the queue's order), in one state or all. */
  async list(query: ReviewQuery): Promise<Page<StoredReviewTask>> {
    const limit = pageSize(query.pageSize, PAGE);
    const after = decodeTimePosition(query.pageToken, TASK_ID);
    const rows = await this.tasks.page(query.state, after, limit + 1);
    return pageAfter(rows, limit, (last) => ({ t: last.openedAt.toISOString(), i: last.id }));
  }

  /**
   * The shard that keeps the number a task is about, when it is not this one (shard mode): the answer is decided
   * there. Undefined otherwise, also for a task id that names no task (refused here, with the field named).
   */
  async elsewhere(taskId: string | undefined): Promise<number | undefined> {
    const shard = this.analysis.shard;
    const id = (taskId ?? '').trim();
    if (!shard || !TASK_ID.test(id)) return undefined;
    const msisdn = await this.tasks.numberOf(id);
    return msisdn === undefined || shard.owns(msisdn) ? undefined : shard.ownerOf(msisdn);
  }

  /**
   * A person's answer to a task, once: the engine applies it (reviewDecided) in the
   * transaction that stores it on the task, the task locked meanwhile, so of two
   * answers to one task the second finds it decided. A number that moved on since
   * the task opened is not stepped: the task is CLOSED.
   */
  decide(reviewer: Principal, input: DecisionInput): Promise<ReviewDecided> {
    const request = validateDecision(input);
    return idempotentRequest({
      dataSource: this.dataSource,
      scope: 'carrier.review',
      request,
      stored: (em) => this.tasks.byRequestId(em, request.idempotencyKey),
      answer: ({ contentHash: _hash, levelAfter, ...task }) => ({ task, state: levelAfter }),
      reused: () => new ReviewsError('KEY_REUSED', 'was already used for a different decision', 'request_id'),
      apply: async (em, hooks) => {
        const task = await this.tasks.lock(em, request.taskId);
        if (!task) throw new ReviewsError('TASK_NOT_FOUND', `no review task ${request.taskId}`, 'task_id');
        if (task.state !== 'OPEN')
          throw new ReviewsError(
            'ALREADY_DECIDED',
            `review task ${task.id} was already decided: ${task.state} by ${task.decidedBy ?? '-'} ` +
              `at ${task.decidedAt?.toISOString() ?? '-'}`,
            'task_id',
          );
        const msisdn = task.msisdn as Msisdn;
        const at = this.clock.now();
        const { review } = await this.analysis.applyInTransaction(
          em,
          hooks,
          msisdn,
          {
            kind: 'reviewDecided',
            msisdn,
            outcome: request.outcome,
            atMs: at.getTime(),
            openedAt: task.openedAt.getTime(),
          },
          { scope: 'carrier.review', idempotencyKey: request.idempotencyKey, contentHash: request.contentHash },
        );
        const state = review === 'DECIDED' ? DECIDED[request.outcome] : 'CLOSED';
        const levelAfter = this.analysis.levelInTransaction(msisdn, at.getTime());
        const decided = { state, decidedBy: reviewer.subject, decidedAt: at, why: request.why };
        await this.tasks.decide(em, task.id, {
          ...decided,
          requestId: request.idempotencyKey,
          contentHash: request.contentHash,
          levelAfter,
        });
        return { task: { ...task, ...decided }, state: levelAfter };
      },
    });
  }
}

/** Every field checked before anything is read or changed; errors name the field. */
function validateDecision(input: DecisionInput): ValidDecision {
  const taskId = (input.taskId ?? '').trim();
  if (!TASK_ID.test(taskId))
    throw new ValidationError(
      taskId === '' ? ValidationErrorCode.Required : ValidationErrorCode.Malformed,
      'task_id',
      taskId === '' ? 'is required' : 'must be the id of a review task (digits, from ListReviews)',
    );
  if (input.outcome === undefined)
    throw new ValidationError(ValidationErrorCode.Required, 'outcome', 'must be SUSPEND or RESTORE');
  const why = textField(input.why, 'why', { max: 2000, required: true });
  if (redactNationalIds(why) !== why)
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'why',
      'must not contain a national ID number (the reason is stored as is)',
    );
  const content = { taskId, outcome: input.outcome, why };
  return {
    ...content,
    idempotencyKey: validateIdempotencyKey(input.requestId, 'request_id'),
    contentHash: contentHash(content),
  };
}
