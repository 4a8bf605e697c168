import type { Env } from '@app/config';
import { DEFAULT_POLICY_V2 } from '@app/domain';
import { reportedWorker } from '../../../libs/domain/src/carrier/fixtures';
import { useHighRiskCells } from '../../../apps/carrier/test/ladder-helpers';
import { CarrierHarness, ingest, toWire } from '../../../apps/carrier/test/carrier-harness';
import { ExitCode, run } from '../src/cli';

interface Outcome {
  code: ExitCode;
  out: string;
  err: string;
}

/**
 * `fraudctl reviews` against a real carrier (CTCC, its own PostgreSQL) running a policy with humanReview: a number
 * held ten years under a real name waits at RESTRICT for a person, who decides it from the command line.
 */
describe('fraudctl reviews (against a real carrier)', () => {
  let carrier: CarrierHarness;
  let env: Env;
  const worker = reportedWorker();

  const fraudctl = async (argv: string[]): Promise<Outcome> => {
    let out = '';
    let err = '';
    const code = await run(argv, {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env,
    });
    return { code, out, err };
  };
  const json = async <T>(argv: string[]): Promise<T> => {
    const result = await fraudctl([...argv, '--json']);
    expect(result).toMatchObject({ code: ExitCode.Ok, err: '' });
    return JSON.parse(result.out) as T;
  };

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    // Tokens are minted on the fly from the carrier's signing key, as from npm start's .data/keys.
    env = {
      CARRIER_CTCC_ADDRESS: carrier.address,
      AUTH_KEY_DIR: carrier.keyDir,
      FRAUDCTL_CONFIG: '/nonexistent/fraudctl/config.json',
      DATA_DIR: '/nonexistent/data',
    };
    const ops = carrier.client();
    const policy = { ...DEFAULT_POLICY_V2, name: 'review', version: 1, humanReview: {} };
    await ops.putPolicy({ document: JSON.stringify(policy) });
    await ops.setPolicy({ policy: 'review@1', mode: 'POLICY_MODE_ACTIVE' as never, reason: 'people review' });
    await useHighRiskCells(carrier, worker.events);
    const answer = await ingest(
      ops,
      toWire(
        worker.events.filter((e) => e.type !== 'high_risk_cell'),
        200,
        'worker',
      ),
    );
    expect(answer.rejected).toBe(0);
  });
  afterAll(() => carrier?.close());

  it('is listed on --help and has its own', async () => {
    expect((await fraudctl(['--help'])).out).toMatch(/^ {2}reviews +suspensions of long-held numbers/m);
    const own = await fraudctl(['reviews', '--help']);
    expect(own).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(own.out).toMatch(/^usage: fraudctl reviews \[list\] --carrier ID/);
    expect(own.out).toContain('--suspend');
    expect(own.out).toContain('--json');
    expect(own.out).toContain('--key KEY');
  });

  it.each([
    [['reviews'], '--carrier is required'],
    [['reviews', 'list', '--carrier', 'CTCC', '--state', 'pending'], '--state must be one of open, suspended'],
    [['reviews', 'decide', '1', '--carrier', 'CTCC', '--why', 'x'], 'give exactly one of --suspend and --restore'],
    [
      ['reviews', 'decide', '1', '--carrier', 'CTCC', '--suspend', '--restore', '--why', 'x'],
      'give exactly one of --suspend and --restore',
    ],
    [['reviews', 'decide', '1', '--carrier', 'CTCC', '--suspend'], '--why is required'],
    [['reviews', 'decide', '--carrier', 'CTCC', '--suspend', '--why', 'x'], 'missing <task-id>'],
  ])('%j is a usage error: exit 2, pointing at --help', async (argv, problem) => {
    const result = await fraudctl(argv);
    expect(result).toMatchObject({ code: ExitCode.Usage, out: '' });
    expect(result.err).toContain(problem);
    expect(result.err).toContain('fraudctl reviews --help');
  });

  it('lists the open task, and explain shows the number waiting for a person', async () => {
    const listed = await fraudctl(['reviews', '--carrier', 'CTCC']);
    expect(listed).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(listed.out).toMatch(/^ID +OPENED +NUMBER +STATE +SCORE +POLICY +BY +REASONS$/m);
    expect(listed.out).toMatch(
      new RegExp(
        `^1 +2024-03-02 13:45:00 \\+08:00 +\\${worker.subject} +OPEN +0\\.9\\d +review@1 +- +.*REVIEW_PENDING$`,
        'm',
      ),
    );
    const open = await json<{ carrier: string; reviews: { id: string; state: string }[] }>([
      'reviews',
      'list',
      '--carrier',
      'ctcc',
      '--state',
      'open',
    ]);
    expect(open).toMatchObject({ carrier: 'CTCC', reviews: [{ id: '1', state: 'REVIEW_STATE_OPEN' }] });
    expect((await fraudctl(['reviews', '--carrier', 'CTCC', '--state', 'restored'])).out).toBe('No review tasks.\n');

    const explained = await fraudctl(['explain', worker.subject, '--carrier', 'CTCC']);
    expect(explained).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(explained.out).toMatch(/^ {2}state +RESTRICT$/m);
    expect(explained.out).toMatch(
      /^ {2}review +restricted, waiting for a person's review since 2024-03-02 13:45:00 \+08:00$/m,
    );
  });

  it('decides the task once, as the token’s subject; a retry with --key answers the same', async () => {
    const argv = [
      'reviews',
      'decide',
      '1',
      '--carrier',
      'CTCC',
      '--restore',
      '--why',
      'her tour group',
      '--key',
      'k-1',
    ];
    // --dry-run prints the decision and sends nothing: the task stays open.
    const plan = await json<{ method: string; request: { taskId: string; outcome: string } }>([...argv, '--dry-run']);
    expect(plan).toMatchObject({ method: 'decideReview', request: { taskId: '1', outcome: 'REVIEW_OUTCOME_RESTORE' } });
    expect(
      await json<{ reviews: { id: string }[] }>(['reviews', '--carrier', 'CTCC', '--state', 'open']),
    ).toMatchObject({ reviews: [{ id: '1' }] });

    const decided = await fraudctl(argv);
    expect(decided).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(decided.out).toMatch(/^review +RESTORED$/m);
    expect(decided.out).toMatch(/^state +NONE$/m);
    expect(decided.out).toMatch(/^decided by +fraudctl-carrier-ctcc$/m);
    expect(decided.out).not.toContain('replayed');
    const again = await json<{ replayed: boolean; task: { state: string; why: string } }>(argv);
    expect(again).toMatchObject({ replayed: true, task: { state: 'REVIEW_STATE_RESTORED', why: 'her tour group' } });

    const late = await fraudctl(['reviews', 'decide', '1', '--carrier', 'CTCC', '--suspend', '--why', 'second look']);
    expect(late.code).toBe(ExitCode.Other);
    expect(late.err).toContain('FAILED_PRECONDITION');
    expect(late.err).toContain('review task 1 was already decided: RESTORED by fraudctl-carrier-ctcc');
    const bad = await fraudctl(['reviews', 'decide', 'x1', '--carrier', 'CTCC', '--suspend', '--why', 'x']);
    expect(bad.code).toBe(ExitCode.InvalidArgument);
    expect(bad.err).toContain('task_id');
  });
});
