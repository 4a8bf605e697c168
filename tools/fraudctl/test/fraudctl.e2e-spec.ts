import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '@app/config';
import { loadVerificationKey, RoleKind, verifyToken } from '@app/grpc';
import { freePort } from '@app/testing';
import { HIGH_RISK, highRiskCellWorker } from '../../../libs/domain/src/carrier/fixtures';
import { AnalysisService } from '../../../apps/carrier/src/analysis/analysis.service';
import { ingest, toWire } from '../../../apps/carrier/test/carrier-harness';
import { activateTermlessDefault, useHighRiskCells } from '../../../apps/carrier/test/ladder-helpers';
import { eventually, startProvince, type Province } from '../../../apps/carrier/test/linked-services';
import { ExitCode, run } from '../src/cli';

interface Outcome {
  code: ExitCode;
  out: string;
  err: string;
}

/** A national ID number with a correct GB 11643 check character. */
function nationalId(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * weights[i], 0);
  return `${first17}${'10X98765432'[sum % 11]}`;
}

/**
 * Every fraudctl command against a real province (registry, administration
 * and carrier CTCC, each on its own PostgreSQL database), through run() as the
 * bin calls it. One stack for the whole file.
 */
describe('fraudctl (against a real registry, admin and carrier)', () => {
  let province: Province;
  let env: Env;
  const worker = highRiskCellWorker();
  const answeredBy = worker.events
    .filter((e) => e.type === 'call' && e.caller === worker.subject && e.answered)
    .map((e) => (e as { callee: string }).callee);
  const lastEventAt = worker.events.at(-1)!.at;

  const fraudctl = async (argv: string[], extraEnv: Env = {}): Promise<Outcome> => {
    let out = '';
    let err = '';
    const code = await run(argv, {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: { ...env, ...extraEnv },
    });
    return { code, out, err };
  };
  const json = async <T = Record<string, unknown>>(argv: string[]): Promise<T> => {
    const result = await fraudctl([...argv, '--json']);
    expect(result).toMatchObject({ code: ExitCode.Ok, err: '' });
    return JSON.parse(result.out) as T;
  };

  beforeAll(async () => {
    province = await startProvince(['CTCC']);
    env = {
      REGISTRY_ADDRESS: province.registry.address,
      ADMIN_ADDRESS: province.admin.address,
      CARRIER_CTCC_ADDRESS: province.carriers.CTCC.address,
      // Tokens are minted on the fly from the province's signing key, as from npm start's .data/keys.
      AUTH_KEY_DIR: province.registry.keyDir,
      // Neither the operator's contexts nor a running stack's stack.json.
      FRAUDCTL_CONFIG: '/nonexistent/fraudctl/config.json',
      DATA_DIR: '/nonexistent/data',
    };
    // The carrier's high-risk cells as the worker's traffic needs them (since 2023): fed to its engine directly.
    await activateTermlessDefault(province.carriers.CTCC.client());
    await useHighRiskCells(province.carriers.CTCC, worker.events);
    const ingested = await ingest(
      province.carriers.CTCC.client(),
      toWire(
        worker.events.filter((e) => e.type !== 'high_risk_cell'),
        200,
        'worker',
      ),
    );
    expect(ingested.rejected).toBe(0);
  });
  afterAll(() => province?.close());

  describe('usage', () => {
    it('lists every command on --help, and each command has its own', async () => {
      const top = await fraudctl(['--help']);
      expect(top.code).toBe(ExitCode.Ok);
      for (const name of [
        'check',
        'explain',
        'report',
        'reactivate',
        'declare-profile',
        'police',
        'directives',
        'cells',
        'rules',
        'token',
        'whoami',
        'context',
        'version',
      ]) {
        expect(top.out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
        const own = await fraudctl([name, '--help']);
        expect(own).toMatchObject({ code: ExitCode.Ok, err: '' });
        expect(own.out).toMatch(new RegExp(`^usage: fraudctl ${name}`));
        expect(own.out).toContain('--json');
      }
      expect(top.out).toContain('Exit status: 0 ok, 1 other failure, 2 usage error, 3 invalid argument');
    });

    it.each([
      [[], 'usage: fraudctl <command>', 'Run "fraudctl <command> --help"'],
      [['frobnicate'], 'unknown command "frobnicate"', 'fraudctl --help'],
      [['check', '--bogus', '19112345678'], "Unknown option '--bogus'", 'fraudctl check --help'],
      [['explain'], 'missing <number>', 'fraudctl explain --help'],
      [['report', '19112345678'], '--by is required', 'fraudctl report --help'],
      [
        ['report', '19112345678', '--by', '18900000001', '--category', 'rudeness'],
        '--category must be one of fraud, harassment, spam',
        'fraudctl report --help',
      ],
      [['police', 'verify', '19112345678'], '--case is required', 'fraudctl police --help'],
      [
        ['directives', '--state', 'lost'],
        '--state must be one of pending, delivered, applied, rejected, expired',
        'fraudctl directives --help',
      ],
      [['cells', 'burn', '460-11-1-1'], 'must be one of list, add, remove', 'fraudctl cells --help'],
      [['token', 'wizard'], 'unknown role "wizard"', 'fraudctl token --help'],
      [
        ['check', '--carrier', 'CTCC', '--from', '19112345678'],
        'needs --carrier, --from and --to',
        'fraudctl check --help',
      ],
    ])('%j is a usage error: exit 2, the problem and a pointer to --help on stderr', async (argv, problem, pointer) => {
      const result = await fraudctl(argv);
      expect(result.code).toBe(ExitCode.Usage);
      expect(result.out).toBe('');
      expect(result.err).toContain(problem);
      expect(result.err).toContain(pointer);
    });

    it('refuses a malformed number or cell before calling anyone: exit 3, naming the argument', async () => {
      const unreachable = { REGISTRY_ADDRESS: '127.0.0.1:1', ADMIN_ADDRESS: '127.0.0.1:1' };
      expect(await fraudctl(['check', '19112345678', '1911234567x'], unreachable)).toMatchObject({
        code: ExitCode.InvalidArgument,
        err: expect.stringContaining('invalid number 2 ("1911234567x"): "1911234567x" is not a phone number'),
      });
      expect(await fraudctl(['cells', 'add', 'cell-7'], unreachable)).toMatchObject({
        code: ExitCode.InvalidArgument,
        err: expect.stringContaining('invalid cell: "cell-7" is not a cell id'),
      });
      expect(
        await fraudctl(
          [
            'reactivate',
            '19900000012',
            '--national-id',
            '110105194912310021',
            '--reference',
            'T-1',
            '--carrier',
            'CTCC',
          ],
          unreachable,
        ),
      ).toMatchObject({
        code: ExitCode.InvalidArgument,
        err: expect.stringContaining('invalid --national-id: the check character does not match'),
      });
    });
  });

  describe('a suspension, from the reports to its explanation', () => {
    it("report files each victim's complaint with their carrier", async () => {
      const at = new Date(lastEventAt + 60_000).toISOString();
      const first = await fraudctl([
        'report',
        worker.subject,
        '--by',
        answeredBy[0],
        '--category',
        'fraud',
        '--at',
        at,
        '--carrier',
        'CTCC',
      ]);
      expect(first).toMatchObject({ code: ExitCode.Ok, err: '' });
      expect(first.out).toMatch(new RegExp(`^reported +\\${worker.subject}$`, 'm'));
      expect(first.out).toMatch(/^carrier +CTCC$/m);
      expect(first.out).toMatch(/^result +accepted; 0 decision\(s\) followed$/m);

      const second = await json<{
        carrier: string;
        accepted: number;
        decisions: number;
        event: { report: { category: string } };
      }>([
        'report',
        worker.subject.slice(3),
        '--by',
        answeredBy[1].slice(3),
        '--at',
        new Date(lastEventAt + 120_000).toISOString(),
        '--carrier',
        'CTCC',
      ]);
      // Two victims who really received its calls: corroborated reports on top of the calls from a high-risk cell.
      expect(second).toMatchObject({
        carrier: 'CTCC',
        accepted: 1,
        decisions: 1,
        event: { report: { category: 'REPORT_CATEGORY_FRAUD' } },
      });
    });

    it('explain shows the suspension: step, plain-language reasons, cells, times (owner from the admin)', async () => {
      const result = await fraudctl(['explain', worker.subject, '--purpose', 'fraudctl e2e']);
      expect(result).toMatchObject({ code: ExitCode.Ok, err: '' });
      const lines = result.out.split('\n');
      expect(lines[0]).toBe(`${worker.subject}  (CTCC)`);
      expect(result.out).toMatch(/^ {2}state +SUSPEND$/m);
      expect(result.out).toMatch(/^ {2}re-activations +1 chance\(s\) left$/m);
      expect(result.out).toMatch(/^ {2}next steps {6}The number is suspended\. Verify your identity/m);
      expect(lines.filter((line) => !line.startsWith('      ')).every((line) => line.length <= 100)).toBe(true);
      // Newest first: the suspension, at the second report (13:45 in Chengdu), after the restriction.
      expect(result.out).toMatch(
        /^#4 {2}2024-03-02 13:45:00 \+08:00 {2}RESTRICT -> SUSPEND {2}score 0\.97 {2}policy default@2$/m,
      );
      expect(result.out).toMatch(/^ {6}CORROBORATED_REPORTS +\S.+$/m);
      expect(result.out).toMatch(/^ {6}HIGH_RISK_CELL_ACTIVITY +\S.+$/m);
      expect(result.out).toMatch(/^ {6}MEASURE +VALUE +THRESHOLD$/m);
      expect(result.out).toMatch(/^ {6}corroborated_reporters +2 +1$/m);
      expect(result.out).toMatch(
        new RegExp(`^ {4}Cells: \\d+ sighting\\(s\\) at 1 cell\\(s\\): ${HIGH_RISK[1]}$`, 'm'),
      );
      expect(result.out).toMatch(/^ {6}CELL +TIME +ACTIVITY$/m);
      expect(result.out).toMatch(
        new RegExp(`^ {6}${HIGH_RISK[1]} +2024-03-02 \\d\\d:\\d\\d:00 \\+08:00 +(call|location)$`, 'm'),
      );
      expect(result.out).toMatch(/^#1 {2}.* NONE -> MONITOR /m);

      const explained = await json<{
        carrier: string;
        state: string;
        decisions: { action: string; at: string; evidence: { cells: { cell: string; at: string }[] } }[];
      }>(['explain', worker.subject]);
      expect(explained).toMatchObject({ carrier: 'CTCC', state: 'ACTION_SUSPEND' });
      expect(explained.decisions[0]).toMatchObject({ action: 'ACTION_SUSPEND', at: '2024-03-02T05:45:00.000Z' });
      expect(explained.decisions[0].evidence.cells.length).toBeGreaterThan(0);
      expect(
        explained.decisions[0].evidence.cells.every((c) => c.cell === HIGH_RISK[1] && /^2024-03-02T/.test(c.at)),
      ).toBe(true);
    });

    it('explain --lang zh is Chinese throughout: labels, steps, headers, not only the reasons', async () => {
      const result = await fraudctl(['explain', worker.subject, '--lang', 'zh']);
      expect(result).toMatchObject({ code: ExitCode.Ok, err: '' });
      expect(result.out).toMatch(/^ {2}状态 +暂停服务（SUSPEND）$/m);
      expect(result.out).toMatch(/^ {2}登记库 +\S/m);
      expect(result.out).toMatch(/^ {2}复通机会 +剩余 1 次$/m);
      expect(result.out).toMatch(/^ {2}处理建议 +\S/m);
      expect(result.out).toMatch(/^处置记录，最新在前（4 条）：$/m);
      expect(result.out).toMatch(/^#4 .*限制呼出（RESTRICT） -> 暂停服务（SUSPEND） {2}评分 0\.97 {2}策略 default@2$/m);
      expect(result.out).toMatch(/^ {4}原因：$/m);
      expect(result.out).toMatch(/^ {6}指标 +数值 +阈值$/m);
      expect(result.out).toMatch(/^ {4}基站：1 个基站的 \d+ 次记录：/m);
      expect(result.out).toMatch(/^ {6}基站 +时间 +活动$/m);
      for (const english of ['state', 'registry', 'next steps', 'Decisions', 'Reasons:', 'MEASURE', 'Cells:', 'score'])
        expect(result.out).not.toContain(english);
    });

    it("explain --carrier on another carrier's number: not its subscriber, in both languages", async () => {
      const theirs = '13800000002';
      const en = await fraudctl(['explain', theirs, '--carrier', 'CTCC']);
      expect(en).toMatchObject({ code: ExitCode.Ok, err: '' });
      expect(en.out).toMatch(/^ {2}next steps {6}Not a subscriber of CTCC: the carrier has no subscriber record/m);
      expect(en.out).not.toContain('Service is normal');
      expect(en.out).not.toMatch(/^ {2}profile/m);
      const zh = await fraudctl(['explain', theirs, '--carrier', 'CTCC', '--lang', 'zh']);
      expect(zh.out).toMatch(/^ {2}处理建议 +该号码不是 CTCC 的用户/m);
      expect(zh.out).not.toContain('服务正常');
      expect(await json(['explain', theirs, '--carrier', 'CTCC'])).toMatchObject({
        carrier: 'CTCC',
        subscriber: false,
      });
      expect(await json(['explain', worker.subject])).toMatchObject({ subscriber: true });
    });

    it('check shows the registry status the carrier flagged, and the call-setup verdict', async () => {
      const flagged = await eventually(
        () =>
          json<{ version: number; results: { msisdn: string; status: string }[] }>([
            'check',
            worker.subject,
            '19100000001',
          ]),
        (answer) => answer.results[0].status === 'NUMBER_STATUS_SUSPECTED',
      );
      expect(flagged.results[1]).toEqual({ msisdn: '+8619100000001', status: 'NUMBER_STATUS_NOT_LISTED' });
      expect(flagged.version).toBeGreaterThan(0);
      const table = await fraudctl(['check', worker.subject.slice(3), '19100000001']);
      expect(table.code).toBe(ExitCode.Ok);
      expect(table.out.split('\n')).toEqual([
        'NUMBER          STATUS',
        `${worker.subject}  SUSPECTED`,
        '+8619100000001  NOT_LISTED',
        '',
        expect.stringMatching(/^registry version \d+$/),
        '',
      ]);

      const call = await fraudctl(['check', '--carrier', 'CTCC', '--from', worker.subject, '--to', answeredBy[0]]);
      expect(call).toMatchObject({ code: ExitCode.Ok, err: '' });
      expect(call.out).toMatch(/^verdict +BLOCK$/m);
      expect(call.out).toMatch(/^reasons +.*SUSPENDED/m);
      expect(await json(['check', '--carrier', 'CTCC', '--from', worker.subject, '--to', answeredBy[0]])).toMatchObject(
        { carrier: 'CTCC', verdict: 'CALL_VERDICT_BLOCK' },
      );
    });

    it('reactivate restores it after an ID check, once', async () => {
      const id = nationalId('51010119900307123');
      const result = await fraudctl(['reactivate', worker.subject, '--national-id', id, '--reference', 'SHOP-CD-0042']);
      expect(result).toMatchObject({ code: ExitCode.Ok, err: '' });
      expect(result.out).toMatch(/^outcome +RESTORED$/m);
      expect(result.out).toMatch(/^carrier +CTCC$/m);
      expect(result.out).not.toContain(id);
      const again = await json(['reactivate', worker.subject, '--national-id', id, '--reference', 'SHOP-CD-0043']);
      expect(again).toMatchObject({ carrier: 'CTCC', outcome: 'REACTIVATION_OUTCOME_NOT_SUSPENDED' });
    });
  });

  it("declare-profile records an employer's attestation with the owning carrier", async () => {
    // A subscriber of CTCC (by its subscriber record) although its segment is CMCC's: --carrier says where.
    const courier = answeredBy[2];
    const declare = (...more: string[]) => [
      'declare-profile',
      courier,
      'courier',
      '--attested-by',
      'SF Express Chengdu depot',
      '--reference',
      'SF-2024-17',
      '--carrier',
      'CTCC',
      ...more,
    ];
    const result = await fraudctl(declare());
    expect(result).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(result.out).toMatch(new RegExp(`^number +\\${courier}$`, 'm'));
    expect(result.out).toMatch(/^profile +courier$/m);
    const replay = await json(declare('--key', 'decl-42'));
    expect(replay).toMatchObject({
      carrier: 'CTCC',
      msisdn: courier,
      profile: 'USAGE_PROFILE_COURIER',
      replayed: false,
    });
    expect(await json(declare('--key', 'decl-42'))).toMatchObject({ replayed: true });
    const unknown = await fraudctl([
      'declare-profile',
      '18900000042',
      'delivery',
      '--attested-by',
      'Meituan Chengdu',
      '--reference',
      'MT-9',
    ]);
    expect(unknown.code).toBe(ExitCode.NotFound);
    expect(unknown.err).toMatch(
      new RegExp(
        String.raw`^fraudctl declare-profile: NOT_FOUND from carrier CTCC \(127\.0\.0\.1:\d+\): ` +
          'msisdn: is not a subscriber of this carrier',
      ),
    );
  });

  it('a confirmed number: reactivate, declare-profile answer CONFIRMED_FRAUD; explain adds the registry', async () => {
    const confirmed = answeredBy[3];
    expect(await fraudctl(['police', 'verify', confirmed, '--case', 'CD-2024-0200'])).toMatchObject({
      code: ExitCode.Ok,
      err: '',
    });
    await eventually(
      async () => province.carriers.CTCC.app.get(AnalysisService).state.isConfirmedFraud(confirmed as never),
      (known) => known,
    );

    const reactivated = await fraudctl([
      'reactivate',
      confirmed,
      '--national-id',
      nationalId('51010119900307124'),
      '--reference',
      'SHOP-CD-0050',
      '--carrier',
      'CTCC',
    ]);
    expect(reactivated).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(reactivated.out).toMatch(/^outcome +CONFIRMED_FRAUD$/m);
    expect(reactivated.out).toMatch(/^state +SUSPEND$/m);
    expect(reactivated.out).toMatch(
      /^note +police-confirmed fraud in the registry: nothing changed, only a police clearance restores the number/m,
    );

    const declared = await fraudctl([
      'declare-profile',
      confirmed,
      'courier',
      '--attested-by',
      'SF Express Chengdu depot',
      '--reference',
      'SF-2024-18',
      '--carrier',
      'CTCC',
    ]);
    expect(declared).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(declared.out).toMatch(/^outcome +CONFIRMED_FRAUD$/m);
    expect(declared.out).toMatch(/^profile +none$/m);

    const explained = await fraudctl(['explain', confirmed, '--carrier', 'CTCC']);
    expect(explained).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(explained.out).toMatch(/^ +state +SUSPEND$/m);
    expect(explained.out).toMatch(
      /^ +registry +CONFIRMED \(police-confirmed fraud: calls blocked whatever the step; no carrier restores it\)$/m,
    );
    expect(explained.out).toMatch(
      /^ +next steps +Calls from this number are blocked: the police confirmed fraud on it/m,
    );
  });

  it('police verify confirms fraud and police clear clears, in the registry', async () => {
    const verified = await fraudctl([
      'police',
      'verify',
      '19100000077',
      '--case',
      'CD-2024-0117',
      '--note',
      'confirmed by the victims',
    ]);
    expect(verified).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(verified.out).toMatch(/^status +CONFIRMED$/m);
    expect(verified.out).toMatch(/^case +CD-2024-0117$/m);
    const cleared = await json(['police', 'clear', '+8619100000077', '--case', 'CD-2024-0118']);
    expect(cleared).toMatchObject({ msisdn: '+8619100000077', status: 'NUMBER_STATUS_CLEARED', replayed: false });
    expect((await json<{ results: { status: string }[] }>(['check', '19100000077'])).results[0].status).toBe(
      'NUMBER_STATUS_CLEARED',
    );
  });

  it('directives issue sends one to the owning carrier; directives lists them, filtered', async () => {
    const issued = await fraudctl([
      'directives',
      'issue',
      worker.subject,
      '--kind',
      'review',
      '--reason',
      'cross-network complaints',
    ]);
    expect(issued).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(issued.out).toMatch(/^ISSUED +KIND +NUMBER +CARRIER +STATUS +SENT +BY +ID +REASON$/m);
    expect(issued.out).toMatch(/REVIEW +\+8619900000012 +CTCC +\w+ +\d+ +fraudctl-admin-sichuan /);

    const listed = await eventually(
      () =>
        json<{ directives: { carrier: string; status: string; directive: { msisdn: string; kind: string } }[] }>([
          'directives',
          '--carrier',
          'CTCC',
          '--number',
          worker.subject.slice(3),
        ]),
      (answer) => answer.directives[0]?.status === 'DIRECTIVE_STATUS_APPLIED',
    );
    expect(listed.directives).toHaveLength(1);
    expect(listed.directives[0]).toMatchObject({
      carrier: 'CTCC',
      directive: { msisdn: worker.subject, kind: 'DIRECTIVE_KIND_REVIEW' },
    });
    const table = await fraudctl(['directives', 'list', '--state', 'applied']);
    expect(table.out).toMatch(/REVIEW +\+8619900000012 +CTCC +APPLIED +1 +fraudctl-admin-sichuan /);
    expect((await fraudctl(['directives', '--state', 'rejected'])).out).toBe('No directives.\n');
  });

  it('directives issue --wait: exit 0 once APPLIED, 1 when REJECTED, 7 when the --timeout runs out', async () => {
    const issue = (msisdn: string, ...more: string[]) =>
      fraudctl(['directives', 'issue', msisdn, '--kind', 'review', '--reason', 'wait for it', '--wait', ...more]);
    const applied = await issue(worker.subject, '--timeout', '30');
    expect(applied).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(applied.out).toMatch(/REVIEW +\+8619900000012 +CTCC +APPLIED +\d+ /);

    // CTCC's segment, but no subscriber of CTCC: the carrier refuses it.
    const rejected = await issue('19900000099', '--timeout', '30', '--json');
    expect(rejected.code).toBe(ExitCode.Other);
    expect(JSON.parse(rejected.out)).toMatchObject({
      directive: { status: 'DIRECTIVE_STATUS_REJECTED', carrier: 'CTCC' },
    });
    expect(JSON.parse(rejected.err)).toEqual({
      error: {
        code: 'REJECTED',
        message: expect.stringMatching(/^directive \S+ was REJECTED by carrier CTCC: .*not a subscriber of CTCC/),
      },
    });

    // CMCC's number: no CMCC runs in this province, so the directive stays pending.
    const started = Date.now();
    const pending = await issue('13800000002', '--timeout', '1');
    expect(pending.code).toBe(ExitCode.Timeout);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(pending.out).toMatch(/REVIEW +\+8613800000002 +CMCC +PENDING /);
    expect(pending.err).toMatch(/^fraudctl directives: gave up after 1 s: directive \S+ to CMCC is still PENDING$/m);
  });

  it('cells adds, lists and removes high-risk cells; removing an unlisted one is not found (exit 4)', async () => {
    const added = await fraudctl([
      'cells',
      'add',
      '460-11-77777-7',
      '--reason',
      'police tip-off',
      '--source',
      'police:chengdu',
      '--expires-in-days',
      '30',
    ]);
    expect(added).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(added.out).toMatch(/^460-11-77777-7 listed\.$/m);
    expect(added.out).toMatch(/^High-risk cell list version \d+: 1 cell\(s\)$/m);
    expect(added.out).toMatch(
      /^460-11-77777-7 +police tip-off +police:chengdu +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00 +\d{4}/m,
    );
    const listed = await json<{ list: { version: number; cells: { cell: string; reason: string; source: string }[] } }>(
      ['cells'],
    );
    expect(listed.list.cells).toEqual([
      expect.objectContaining({ cell: '460-11-77777-7', reason: 'police tip-off', source: 'police:chengdu' }),
    ]);

    // Without --source, the list records who the admin token names, not the Unix login.
    const bySubject = await json<{ list: { cells: { cell: string; source: string }[] } }>([
      'cells',
      'add',
      '460-11-77777-8',
    ]);
    expect(bySubject.list.cells).toContainEqual(
      expect.objectContaining({ cell: '460-11-77777-8', source: 'fraudctl-admin-sichuan' }),
    );
    await fraudctl(['cells', 'remove', '460-11-77777-8']);

    const removed = await fraudctl(['cells', 'remove', '460-11-77777-7', '--reason', 'case closed']);
    expect(removed.out).toMatch(/^High-risk cell list version \d+: 0 cell\(s\)$/m);
    expect((await fraudctl(['cells', 'list'])).out).toMatch(/: 0 cell\(s\)\n$/);

    const again = await fraudctl(['cells', 'remove', '460-11-77777-7']);
    expect(again.code).toBe(ExitCode.NotFound);
    expect(again.err).toMatch(
      new RegExp(
        String.raw`^fraudctl cells: NOT_FOUND from the admin \(127\.0\.0\.1:\d+\): ` +
          'cell: 460-11-77777-7 is not on the high-risk cell list',
      ),
    );
  });

  it('rules shows the error budget per rule; reenable needs --why and a demoted reason', async () => {
    const budget = await fraudctl(['rules', 'budget', '--carrier', 'ctcc']);
    // default@2 has no errorBudget section: no reason is ever demoted.
    expect(budget).toEqual({ code: ExitCode.Ok, out: 'CTCC: no running policy has an error budget\n', err: '' });
    expect(await json(['rules', '--carrier', 'CTCC'])).toEqual({ budgets: [] });
    const withoutWhy = await fraudctl(['rules', 'reenable', 'default@2', 'new_segment', '--carrier', 'CTCC']);
    expect(withoutWhy.code).toBe(ExitCode.InvalidArgument);
    expect(withoutWhy.err).toMatch(/INVALID_ARGUMENT from carrier CTCC .*why: is required/);
    const notDemoted = await fraudctl([
      'rules',
      'reenable',
      'default@2',
      'NEW_SEGMENT',
      '--why',
      'x',
      '--carrier',
      'CTCC',
    ]);
    expect(notDemoted.code).toBe(ExitCode.Other);
    expect(notDemoted.err).toMatch(/FAILED_PRECONDITION .*NEW_SEGMENT is not demoted on default@2/);
    const noCarrier = await fraudctl(['rules', 'budget']);
    expect(noCarrier.code).toBe(ExitCode.Usage);
  });

  it('token mints a token of the role from the signing key', async () => {
    const result = await fraudctl(['token', 'police', '--ttl', '30m', '--subject', 'officer-7']);
    expect(result.code).toBe(ExitCode.Ok);
    const principal = verifyToken(result.out.trim(), loadVerificationKey({ AUTH_KEY_DIR: province.registry.keyDir }));
    expect(principal).toMatchObject({ subject: 'officer-7', role: 'police', kind: RoleKind.Police });
    expect(await json(['token', 'carrier:CTCC'])).toMatchObject({
      role: 'carrier:CTCC',
      subject: 'carrier-ctcc',
      token: expect.any(String),
    });
  });

  it("takes each role's token from its variable, minting one only if there is none (said with --verbose)", async () => {
    const check = ['check', '--carrier', 'CTCC', '--from', '19112345678', '--to', '13800000002'];
    const quiet = await fraudctl(check);
    expect(quiet).toMatchObject({ code: ExitCode.Ok, err: '' });
    const verbose = await fraudctl([...check, '--verbose']);
    expect(verbose.err).toContain('minted a 5-minute carrier:CTCC token from the signing key in');
    expect(verbose.err).toMatch(/CarrierService\/checkCall on carrier CTCC \(127\.0\.0\.1:\d+\)/);

    // CARRIER_TOKEN is one carrier's (npm start: CMCC's): another carrier's call does not use it.
    const cmcc = (await fraudctl(['token', 'carrier:CMCC'])).out.trim();
    expect((await fraudctl([...check, '--verbose'], { CARRIER_TOKEN: cmcc })).err).toContain(
      'minted a 5-minute carrier:CTCC token',
    );
    const ctcc = (await fraudctl(['token', 'carrier:CTCC'])).out.trim();
    expect((await fraudctl([...check, '--verbose'], { CARRIER_TOKEN: ctcc })).err).toContain(
      'carrier:CTCC token from CARRIER_TOKEN',
    );
    const wrong = await fraudctl(check, { CARRIER_CTCC_TOKEN: cmcc });
    expect(wrong.code).toBe(ExitCode.Permission);
    expect(wrong.err).toMatch(/^fraudctl check: PERMISSION_DENIED from carrier CTCC/);
  });

  describe('failures', () => {
    it('a number no carrier owns is not found (exit 4)', async () => {
      const result = await fraudctl(['explain', '+12025550123']);
      expect(result.code).toBe(ExitCode.NotFound);
      expect(result.err).toMatch(/^fraudctl explain: NOT_FOUND from the admin \(127\.0\.0\.1:\d+\): /);
    });

    it('a role that may not do it is a permission error (exit 5), and so is having no token at all', async () => {
      const police = (await fraudctl(['token', 'police'])).out.trim();
      const refused = await fraudctl(['cells', 'add', '460-11-1-1', '--token', police]);
      expect(refused.code).toBe(ExitCode.Permission);
      expect(refused.err).toMatch(/^fraudctl cells: PERMISSION_DENIED from the admin/);

      const keyless = mkdtempSync(join(tmpdir(), 'fraudctl-nokey-'));
      try {
        const none = await fraudctl(['check', '19112345678'], { AUTH_KEY_DIR: keyless });
        expect(none.code).toBe(ExitCode.Permission);
        expect(none.err).toContain('no token for the analyst role: pass --token, or set ANALYST_TOKEN');
        // A role's variable is used as is (here, a token the registry's key never signed).
        const forged = await fraudctl(['check', '19112345678'], {
          AUTH_KEY_DIR: keyless,
          ANALYST_TOKEN: 'not.a.token',
        });
        expect(forged.code).toBe(ExitCode.Permission);
        expect(forged.err).toMatch(/^fraudctl check: UNAUTHENTICATED from the registry/);
      } finally {
        rmSync(keyless, { recursive: true, force: true });
      }
    });

    it('an unreachable server is unavailable (exit 6), naming it', async () => {
      const address = `127.0.0.1:${await freePort()}`;
      const result = await fraudctl(['check', '19112345678', '--registry', address]);
      expect(result.code).toBe(ExitCode.Unavailable);
      expect(result.err).toContain(`UNAVAILABLE from the registry (${address})`);
    });

    it('TLS: a CA file it cannot read is named (exit 1); a client certificate needs the CA (exit 2)', async () => {
      const unreadable = await fraudctl(['check', '19112345678', '--tls-ca', '/nonexistent/ca.crt']);
      expect(unreadable.code).toBe(ExitCode.Other);
      expect(unreadable.err).toContain('GRPC_TLS_CA: cannot read /nonexistent/ca.crt: ENOENT');
      const half = await fraudctl(['check', '19112345678', '--tls-cert', 'client.crt', '--tls-key', 'client.key']);
      expect(half.code).toBe(ExitCode.Usage);
      expect(half.err).toContain('--tls-cert and --tls-key need --tls-ca');
    });

    it('with --json, failures are JSON on stderr: code, message, field; the exit statuses stay', async () => {
      const error = (result: Outcome) => {
        expect(result.out).toBe('');
        return (JSON.parse(result.err) as { error: Record<string, unknown> }).error;
      };
      const notFound = await fraudctl(['cells', 'remove', '460-11-77777-9', '--json']);
      expect(notFound.code).toBe(ExitCode.NotFound);
      expect(error(notFound)).toEqual({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/^NOT_FOUND from the admin \(127\.0\.0\.1:\d+\): cell: 460-11-77777-9 is not/),
        field: 'cell',
      });
      const usage = await fraudctl(['directives', '--state', 'lost', '--json']);
      expect(usage.code).toBe(ExitCode.Usage);
      expect(error(usage)).toEqual({ code: 'USAGE', message: expect.stringContaining('--state must be one of') });
      const malformed = await fraudctl(['check', '1911234567x', '--json']);
      expect(malformed.code).toBe(ExitCode.InvalidArgument);
      expect(error(malformed)).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'number' });
      const unknown = await fraudctl(['frobnicate', '--json']);
      expect(unknown.code).toBe(ExitCode.Usage);
      expect(error(unknown)).toEqual({ code: 'USAGE', message: 'unknown command "frobnicate"' });
      const unreachable = await fraudctl([
        'check',
        '19112345678',
        '--registry',
        `127.0.0.1:${await freePort()}`,
        '--json',
      ]);
      expect(unreachable.code).toBe(ExitCode.Unavailable);
      expect(error(unreachable)).toMatchObject({ code: 'UNAVAILABLE' });
    });

    it('--dry-run checks the input and prints each write it would make, and the servers see none', async () => {
      const directivesBefore = await json<{ directives: unknown[] }>(['directives', '--limit', '500']);
      const cellsBefore = await json<{ list: { version: number } }>(['cells']);
      const issue = await fraudctl([
        'directives',
        'issue',
        '19900000056',
        '--kind',
        'suspend',
        '--reason',
        'dry',
        '--dry-run',
      ]);
      expect(issue).toMatchObject({ code: ExitCode.Ok, err: '' });
      expect(issue.out).toMatch(
        /^Dry run, nothing sent: would call AdminService\/issueDirective on the admin \(127\.0\.0\.1:\d+\)$/m,
      );
      expect(issue.out).toMatch(/^as admin:sichuan \(fraudctl-admin-sichuan\) with:$/m);
      expect(issue.out).toContain('"kind": "DIRECTIVE_KIND_SUSPEND"');
      const plan = await json(['cells', 'add', '460-11-55555-5', '--dry-run']);
      expect(plan).toMatchObject({
        dryRun: true,
        service: 'fraud.admin.v1.AdminService',
        method: 'addHighRiskCell',
        request: { cell: '460-11-55555-5', source: 'fraudctl-admin-sichuan' },
      });
      expect((await json(['cells', 'remove', '460-11-55555-5', '--dry-run'])).method).toBe('removeHighRiskCell');
      expect((await json(['police', 'verify', '19100000088', '--case', 'C-1', '--dry-run'])).request).toMatchObject({
        msisdn: '+8619100000088',
        outcome: 'VERIFICATION_OUTCOME_CONFIRMED',
      });
      const reactivation = await json<{ request: { nationalId: string } }>([
        'reactivate',
        '19100000088',
        '--national-id',
        nationalId('51010119900307125'),
        '--reference',
        'SHOP-1',
        '--carrier',
        'CTCC',
        '--dry-run',
      ]);
      expect(reactivation.request.nationalId).toBe(`${'*'.repeat(14)}${nationalId('51010119900307125').slice(-4)}`);
      // Sent, this one fails (NEW_SEGMENT is not demoted): under --dry-run it is only printed.
      expect(
        await json(['rules', 'reenable', 'default@2', 'NEW_SEGMENT', '--why', 'x', '--carrier', 'CTCC', '--dry-run']),
      ).toMatchObject({ method: 'reenableRule', role: 'carrier:CTCC', request: { reason: 'NEW_SEGMENT' } });
      // Still validated: a malformed cell is refused before anything.
      expect((await fraudctl(['cells', 'add', 'cell-7', '--dry-run'])).code).toBe(ExitCode.InvalidArgument);

      expect(await json(['directives', '--limit', '500'])).toEqual(directivesBefore);
      expect((await json<{ list: { version: number } }>(['cells'])).list.version).toBe(cellsBefore.list.version);
      expect((await json<{ results: { status: string }[] }>(['check', '19100000088'])).results[0].status).toBe(
        'NUMBER_STATUS_NOT_LISTED',
      );
    });

    it("an argument the server refuses is an invalid argument (exit 3) with the server's field", async () => {
      const result = await fraudctl([
        'directives',
        'issue',
        '19900000056',
        '--kind',
        'review',
        '--reason',
        'x'.repeat(600),
      ]);
      expect(result.code).toBe(ExitCode.InvalidArgument);
      expect(result.err).toMatch(
        /^fraudctl directives: INVALID_ARGUMENT from the admin \(127\.0\.0\.1:\d+\): reason: at most 500 characters/,
      );
    });
  });
});
