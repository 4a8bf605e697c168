import { status } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { DEFAULT_POLICY_V2, type CarrierEvent, type Msisdn } from '@app/domain';
import { reportedWorker } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { levelOf, query, suspend, useHighRiskCells } from './ladder-helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `default` with a person's review of numbers held a year or more under a real name. */
const REVIEW_POLICY = { ...DEFAULT_POLICY_V2, name: 'review', version: 1, humanReview: { tenureDays: 365 } };

const base = reportedWorker();

/**
 * The reported worker (held ten years under a real name) on number `+861990000200<n>`, `n` days later: its calls from
 * a listed cell restrict it, two reports then support a suspension, which waits for a person instead.
 */
function worker(n: number): { subject: Msisdn; events: CarrierEvent[] } {
  const subject = `+861990000200${n}` as Msisdn;
  const events = base.events.map((event) => {
    const moved = JSON.parse(JSON.stringify(event).split(base.subject).join(subject)) as CarrierEvent;
    return moved.type === 'subscriber' ? moved : { ...moved, at: moved.at + n * DAY };
  });
  return { subject, events };
}

const [A, B, C, D, E] = [1, 2, 3, 4, 5].map(worker);

describe('review tasks: ListReviews and DecideReview (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let reviewer: CarrierClient;
  let colleague: CarrierClient;

  function connect(): void {
    reviewer = carrier.client('carrier:CTCC', 'reviewer-wang');
    colleague = carrier.client('carrier:CTCC', 'reviewer-li');
  }

  async function traffic(events: CarrierEvent[], prefix: string): Promise<void> {
    const answer = await ingest(reviewer, toWire(events, 200, prefix));
    expect(answer).toMatchObject({ rejected: 0, late: 0, rejections: [] });
  }

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    connect();
    await reviewer.putPolicy({ document: JSON.stringify(REVIEW_POLICY) });
    await reviewer.setPolicy({ policy: 'review@1', mode: 'POLICY_MODE_ACTIVE' as never, reason: 'people review' });
    // The high-risk cell list comes from the administration, not IngestEvents: fed to the engine directly.
    await useHighRiskCells(carrier, base.events);
    for (const [i, w] of [A, B, C, D, E].entries())
      await traffic(
        w.events.filter((e) => e.type !== 'high_risk_cell'),
        `worker-${i + 1}`,
      );
  });
  afterAll(() => carrier.close());

  const list = (request: Partial<carrier.ListReviewsRequest> = {}, as = reviewer) =>
    as.listReviews({ state: 'REVIEW_STATE_UNSPECIFIED' as never, ...request });
  const taskOf = async (msisdn: Msisdn) => {
    const [task] = (await list({ page: { pageSize: 500, pageToken: '' } })).reviews.filter((r) => r.msisdn === msisdn);
    return task;
  };
  const decide = (
    taskId: string,
    outcome: 'SUSPEND' | 'RESTORE',
    requestId: string,
    why = 'called the subscriber: calls confirmed',
    as = reviewer,
  ) => as.decideReview({ taskId, outcome: `REVIEW_OUTCOME_${outcome}` as never, why, requestId });
  const decisionsOf = (msisdn: Msisdn) =>
    query(
      carrier,
      `SELECT id, action, previous, reasons FROM decision WHERE msisdn = $1 AND NOT shadow ORDER BY at, recorded_at`,
      [msisdn],
    );
  const tasksOf = (msisdn: Msisdn) =>
    query(
      carrier,
      `SELECT id::text AS id, state, decision_id, decided_by, why, request_id FROM review_task
       WHERE msisdn = $1 ORDER BY id`,
      [msisdn],
    );

  it('opens a task with the RESTRICT holding the suspension back, in one transaction; notifies', async () => {
    const decisions = await decisionsOf(A.subject);
    const held = decisions.at(-1) as { id: string; action: string; previous: string; reasons: string[] };
    expect(held).toMatchObject({ action: 'RESTRICT', previous: 'RESTRICT' });
    expect(held.reasons.at(-1)).toBe('REVIEW_PENDING');
    expect(decisions.map((d) => d.action)).not.toContain('SUSPEND');
    expect(levelOf(carrier, A.subject)).toBe('RESTRICT');
    expect(await tasksOf(A.subject)).toEqual([
      { id: expect.any(String), state: 'OPEN', decision_id: held.id, decided_by: null, why: null, request_id: null },
    ]);
    const task = await taskOf(A.subject);
    expect(task).toMatchObject({
      msisdn: A.subject,
      decisionId: held.id,
      state: 'REVIEW_STATE_OPEN',
      policy: 'review@1',
      decidedBy: '',
      why: '',
    });
    expect(task.decidedAt ?? undefined).toBeUndefined();
    expect(task.reasons.map((r) => r.code)).toEqual(held.reasons);
    expect(task.reasons.at(-1)?.textEn).toContain('a long-held real-name number');
    const [notice] = await query(carrier, `SELECT text FROM notice WHERE decision_id = $1`, [held.id]);
    expect(notice.text).toMatch(/^【已限制呼出，待人工复核】/);
    expect(notice.text).toContain('紧急和服务号码（110、');

    const explained = await reviewer.explainNumber({ msisdn: A.subject, purpose: 'review desk' });
    expect(explained.state).toBe('ACTION_RESTRICT');
    expect(explained.reviewPendingSince).toEqual(task.openedAt);
    expect(explained.nextStepsEn).toMatch(/^Restricted, waiting for a person's review since 2024-03-0\d \d\d:\d\d/);
    // A number that is not under review has none.
    const free = await reviewer.explainNumber({ msisdn: '+8613700120001', purpose: 'review desk' });
    expect(free.reviewPendingSince ?? undefined).toBeUndefined();
  });

  it('lists the tasks oldest first, page by page, by state; for this carrier only', async () => {
    const all = await list({ page: { pageSize: 500, pageToken: '' } });
    expect(all.reviews.map((r) => r.msisdn)).toEqual([A, B, C, D, E].map((w) => w.subject));
    expect(all.nextPageToken).toBe('');
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await list({ state: 'REVIEW_STATE_OPEN' as never, page: { pageSize: 2, pageToken } });
      expect(page.reviews.length).toBeLessThanOrEqual(2);
      seen.push(...page.reviews.map((r) => r.msisdn));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken);
    expect([seen, pages]).toEqual([[A, B, C, D, E].map((w) => w.subject), 3]);
    expect((await list({ state: 'REVIEW_STATE_SUSPENDED' as never })).reviews).toEqual([]);
    await expect(list({ page: { pageSize: 2, pageToken: 'not-a-token' } })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('page.page_token'),
    });
    for (const role of ['carrier:CMCC', 'admin:sichuan', 'analyst', 'police'])
      await expect(list({}, carrier.client(role))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
  });

  it('a person confirms: SUSPEND with REVIEW_CONFIRMED, who, why and when; retried, answered the same', async () => {
    const task = await taskOf(A.subject);
    const answer = await decide(task.id, 'SUSPEND', 'decide-a-1');
    expect(answer).toMatchObject({
      state: 'ACTION_SUSPEND',
      replayed: false,
      task: {
        id: task.id,
        msisdn: A.subject,
        state: 'REVIEW_STATE_SUSPENDED',
        decidedBy: 'reviewer-wang',
        why: 'called the subscriber: calls confirmed',
      },
    });
    expect(answer.task?.decidedAt).toBeDefined();
    expect(levelOf(carrier, A.subject)).toBe('SUSPEND');
    expect((await decisionsOf(A.subject)).at(-1)).toMatchObject({
      action: 'SUSPEND',
      previous: 'RESTRICT',
      reasons: ['REVIEW_CONFIRMED'],
    });
    // The same request again: the first answer, nothing new.
    const decisions = await decisionsOf(A.subject);
    expect(await decide(task.id, 'SUSPEND', 'decide-a-1')).toEqual({ ...answer, replayed: true });
    expect(await decisionsOf(A.subject)).toEqual(decisions);
    // The same request id with another body.
    await expect(decide(task.id, 'RESTORE', 'decide-a-1')).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
      details: expect.stringContaining('request_id'),
    });
    // Another request on a task decided already, by someone else.
    await expect(decide(task.id, 'RESTORE', 'decide-a-2', 'second look', colleague)).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: expect.stringContaining(`review task ${task.id} was already decided: SUSPENDED by reviewer-wang`),
    });
    expect(await decisionsOf(A.subject)).toEqual(decisions);
    expect(await tasksOf(A.subject)).toEqual([
      expect.objectContaining({ state: 'SUSPENDED', decided_by: 'reviewer-wang', request_id: 'decide-a-1' }),
    ]);
  });

  it('a person rejects: RESTORE with REVIEW_REJECTED, the number back to NONE', async () => {
    const task = await taskOf(B.subject);
    expect(await decide(task.id, 'RESTORE', 'decide-b-1', 'a tour guide: the callers were her group')).toMatchObject({
      state: 'ACTION_NONE',
      task: { state: 'REVIEW_STATE_RESTORED', decidedBy: 'reviewer-wang' },
    });
    expect(levelOf(carrier, B.subject)).toBe('NONE');
    expect((await decisionsOf(B.subject)).at(-1)).toMatchObject({
      action: 'RESTORE',
      previous: 'RESTRICT',
      reasons: ['REVIEW_REJECTED'],
    });
    const explained = await reviewer.explainNumber({ msisdn: B.subject, purpose: 'review desk' });
    expect(explained.reviewPendingSince ?? undefined).toBeUndefined();
  });

  it('lets exactly one of two people deciding one task at once act', async () => {
    const task = await taskOf(C.subject);
    const answers = await Promise.allSettled([
      decide(task.id, 'SUSPEND', 'race-c-1', 'confirmed', reviewer),
      decide(task.id, 'RESTORE', 'race-c-2', 'mistaken', colleague),
    ]);
    const won = answers.filter((a) => a.status === 'fulfilled');
    const lost = answers.filter((a) => a.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: status.FAILED_PRECONDITION });
    const winner = (won[0] as PromiseFulfilledResult<carrier.DecideReviewResponse>).value;
    const suspended = winner.task?.state === 'REVIEW_STATE_SUSPENDED';
    const after = (await decisionsOf(C.subject)).slice(-2).map((d) => d.action);
    expect(after).toEqual(['RESTRICT', suspended ? 'SUSPEND' : 'RESTORE']);
    expect(levelOf(carrier, C.subject)).toBe(suspended ? 'SUSPEND' : 'NONE');
    expect(await tasksOf(C.subject)).toEqual([
      expect.objectContaining({
        state: suspended ? 'SUSPENDED' : 'RESTORED',
        request_id: suspended ? 'race-c-1' : 'race-c-2',
      }),
    ]);
  });

  it('closes a task without a step when the number moved on (suspended by a directive meanwhile)', async () => {
    const task = await taskOf(E.subject);
    await suspend(carrier, E.subject);
    const decisions = await decisionsOf(E.subject);
    expect(await decide(task.id, 'RESTORE', 'decide-e-1', 'looked too late')).toMatchObject({
      state: 'ACTION_SUSPEND',
      task: { state: 'REVIEW_STATE_CLOSED', decidedBy: 'reviewer-wang', why: 'looked too late' },
    });
    expect(await decisionsOf(E.subject)).toEqual(decisions);
    expect(levelOf(carrier, E.subject)).toBe('SUSPEND');
  });

  it.each([
    ['no task id', { taskId: '' }, 'task_id: is required'],
    ['a task id that is not one', { taskId: 'abc' }, 'task_id: must be the id of a review task'],
    ['no outcome', { outcome: 'REVIEW_OUTCOME_UNSPECIFIED' }, 'outcome: must be SUSPEND or RESTORE'],
    ['no why', { why: '   ' }, 'why: is required'],
    ['a why over 2,000 characters', { why: 'w'.repeat(2001) }, 'why: at most 2000'],
    ['a national ID in why', { why: 'ID 11010519491231002X checked' }, 'why: must not contain a national ID'],
    ['a line break in why (one line)', { why: 'called\nconfirmed' }, 'why'],
    ['no request id', { requestId: '' }, 'request_id'],
  ])('refuses %s with INVALID_ARGUMENT naming the field, changing nothing', async (_case, overrides, details) => {
    const task = await taskOf(D.subject);
    await expect(
      reviewer.decideReview({
        taskId: task.id,
        outcome: 'REVIEW_OUTCOME_SUSPEND' as never,
        why: 'confirmed',
        requestId: 'bad-input',
        ...(overrides as Partial<carrier.DecideReviewRequest>),
      }),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining(details) });
    expect(await tasksOf(D.subject)).toEqual([expect.objectContaining({ state: 'OPEN', request_id: null })]);
    expect(levelOf(carrier, D.subject)).toBe('RESTRICT');
  });

  it('refuses an unknown task with NOT_FOUND, and callers other than this carrier', async () => {
    await expect(decide('999999', 'SUSPEND', 'decide-unknown')).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: expect.stringContaining('task_id: no review task 999999'),
    });
    const task = await taskOf(D.subject);
    for (const role of ['carrier:CMCC', 'admin:sichuan', 'police'])
      await expect(decide(task.id, 'RESTORE', `role-${role}`, 'no', carrier.client(role))).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
      });
    expect(await tasksOf(D.subject)).toEqual([expect.objectContaining({ state: 'OPEN' })]);
  });

  it('audits every decision and every refusal: who, the task, the outcome and why', async () => {
    const lines = await query(
      carrier,
      `SELECT actor, role, case_id, outcome, detail FROM audit_event
       WHERE action = 'fraud.carrier.v1.CarrierService/DecideReview' ORDER BY id`,
    );
    const outcomes = lines.map((l) => l.outcome);
    for (const outcome of ['OK', 'ALREADY_EXISTS', 'FAILED_PRECONDITION', 'INVALID_ARGUMENT', 'NOT_FOUND'])
      expect(outcomes).toContain(outcome);
    expect(outcomes.filter((o) => o === 'PERMISSION_DENIED')).toHaveLength(3);
    const taskA = await taskOf(A.subject);
    expect(lines.filter((l) => l.case_id === `review-task:${taskA.id}`)).toEqual([
      {
        actor: 'reviewer-wang',
        role: 'carrier:CTCC',
        case_id: `review-task:${taskA.id}`,
        outcome: 'OK',
        detail: { outcome: 'SUSPEND', why: 'called the subscriber: calls confirmed', requestId: 'decide-a-1' },
      },
      expect.objectContaining({ outcome: 'OK', detail: expect.objectContaining({ requestId: 'decide-a-1' }) }),
      expect.objectContaining({ outcome: 'ALREADY_EXISTS' }),
      expect.objectContaining({ actor: 'reviewer-li', outcome: 'FAILED_PRECONDITION' }),
    ]);
    // The reason that carried a national ID is logged with it blanked, and stored nowhere.
    expect(lines.map((l) => (l.detail as { why: string }).why)).toContain('ID [redacted] checked');
    const [found] = await query(
      carrier,
      `SELECT count(*)::int AS n FROM review_task t WHERE t::text LIKE '%11010519%'`,
    );
    expect(found.n).toBe(0);
  });

  it('keeps an open task across a restart, and the same evidence again opens no second one', async () => {
    const before = await tasksOf(D.subject);
    expect(before).toEqual([expect.objectContaining({ state: 'OPEN' })]);
    await carrier.stop();
    await carrier.boot();
    connect();
    expect(levelOf(carrier, D.subject)).toBe('RESTRICT');
    const explained = await reviewer.explainNumber({ msisdn: D.subject, purpose: 'after restart' });
    expect(explained.reviewPendingSince).toBeDefined();
    // The whole story again, two hours after the newest event the carrier saw, supports a suspension again.
    const decisions = await decisionsOf(D.subject);
    const timed = D.events.filter((e) => e.type !== 'subscriber' && e.type !== 'high_risk_cell');
    const newest = Math.max(...[A, B, C, D, E].flatMap((w) => w.events.map((e) => e.at)));
    const shift = newest + 2 * HOUR - Math.min(...timed.map((e) => e.at));
    await traffic(
      D.events
        .filter((e) => e.type !== 'high_risk_cell')
        .map((e) => (e.type === 'subscriber' ? e : { ...e, at: e.at + shift })),
      'worker-4-again',
    );
    expect(await tasksOf(D.subject)).toEqual(before);
    expect(await decisionsOf(D.subject)).toEqual(decisions);
    expect(levelOf(carrier, D.subject)).toBe('RESTRICT');
    // Decided after the restart like any other.
    const task = await taskOf(D.subject);
    expect(await decide(task.id, 'SUSPEND', 'decide-d-1')).toMatchObject({
      state: 'ACTION_SUSPEND',
      task: { state: 'REVIEW_STATE_SUSPENDED' },
    });
  });
});
