import { Action, DEFAULT_POLICY, Ladder, ReasonCode, type Msisdn } from '@app/domain';
import { nextSteps, reactivationChancesLeft, reasonsBehind } from './next-steps';

const DAY = 86_400_000;

describe(nextSteps.name, () => {
  it('tells a suspended subscriber how to re-activate, how many chances are left, and how to appeal', () => {
    const steps = nextSteps({
      state: Action.Suspend,
      reasons: [ReasonCode.CallBurst],
      registry: undefined,
      reactivationChancesLeft: 1,
    });
    expect(steps.en).toContain('1 re-activation chance(s) left');
    expect(steps.en).toContain('ask the police to verify the number through the fraud registry');
    expect(steps.zh).toContain('还剩1次复机机会');
    expect(steps.en).toContain('declare this use of the number');
  });

  it('sends a suspended subscriber with no chance left to police verification, not to a dead end', () => {
    const steps = nextSteps({
      state: Action.Suspend,
      reasons: [ReasonCode.Directive],
      registry: 'SUSPECTED',
      reactivationChancesLeft: 0,
    });
    expect(steps.en).toMatch(
      /^The number is suspended and no re-activation chance is left in this period: ask the police to verify/,
    );
    expect(steps.zh).toContain('申请公安机关甄别');
    expect(steps.en).not.toContain('chance(s) left');
  });

  it('tells a restricted subscriber waiting for a person’s review since when, and what still works', () => {
    const steps = nextSteps({
      state: Action.Restrict,
      reasons: [ReasonCode.CorroboratedReports, ReasonCode.ReviewPending],
      registry: undefined,
      reactivationChancesLeft: 1,
      reviewPendingSince: Date.parse('2024-03-02T05:45:00Z'),
    });
    expect(steps.en).toMatch(/^Restricted, waiting for a person's review since 2024-03-02 13:45 \(China time\)/);
    expect(steps.en).toContain('Emergency and service numbers (110, 119');
    expect(steps.en).toContain('A member of staff will review it soon');
    expect(steps.zh).toContain('自2024-03-02 13:45（北京时间）起等待工作人员人工复核');
    // Without an open review, a restriction says nothing of one.
    const plain = nextSteps({ state: Action.Restrict, reasons: [], registry: undefined, reactivationChancesLeft: 1 });
    expect(plain.en).not.toContain('review');
  });

  it('asks a restricted subscriber to re-verify their ID at a shop or by secure e-ID', () => {
    const steps = nextSteps({
      state: Action.Restrict,
      reasons: [ReasonCode.HighRiskCellActivity],
      registry: undefined,
      reactivationChancesLeft: 1,
    });
    expect(steps.en).toContain('Re-verify your identity at a shop, or through the secure e-ID service');
    expect(steps.zh).toContain('携带身份证到营业厅');
    expect(steps.en).toContain('If you were only passing through, tell customer service');
  });

  it('says exactly what still works under RESTRICT: essentials, known contacts, incoming calls and data', () => {
    const steps = nextSteps({ state: Action.Restrict, reasons: [], registry: undefined, reactivationChancesLeft: 1 });
    expect(steps.en).toBe(
      'Outgoing calls to numbers not in contact in the last 30 days are restricted. ' +
        'Emergency and service numbers (110, 119, 120, 122, 12110, 96110, 12381, 12321, 10086, 10010, 10000, 10099) ' +
        'can always be called; numbers you called, texted or heard from in the last 30 days can still be called; ' +
        'all incoming calls and data still work. ' +
        'Re-verify your identity at a shop, or through the secure e-ID service, to lift the restriction.',
    );
    expect(steps.zh).toBe(
      '号码已限制呼出：不能拨打近30天内未联系过的号码。' +
        '紧急和服务号码（110、119、120、122、12110、96110、12381、12321、10086、10010、10000、10099）始终可以拨打；' +
        '近30天内与您通过电话或短信的号码仍可拨打；所有来电均可接听，上网不受影响。' +
        '请本人携带身份证到营业厅，或通过官方安全电子身份认证渠道重新核验身份，核验后即恢复。',
    );
  });

  it('says under SUSPEND and a police confirmation that essentials and incoming calls still work, per policy', () => {
    const essentials = new Set(['110', '120']);
    const suspended = nextSteps({
      state: Action.Suspend,
      reasons: [],
      registry: undefined,
      reactivationChancesLeft: 1,
      essentials,
    });
    expect(suspended.en).toContain(
      'a restore after a mistake uses no chance. ' +
        'Emergency and service numbers (110, 120) can always be called; incoming calls still come through.',
    );
    expect(suspended.zh).toContain('紧急和服务号码（110、120）始终可以拨打；来电仍可接听。');
    const confirmed = nextSteps({
      state: Action.Suspend,
      reasons: [],
      registry: 'CONFIRMED',
      reactivationChancesLeft: 1,
      essentials,
    });
    expect(
      confirmed.en.endsWith(
        'service is restored once they clear the number. ' +
          'Emergency and service numbers (110, 120) can always be called; incoming calls still come through.',
      ),
    ).toBe(true);
    expect(confirmed.zh).toMatch(/公安机关解除后即恢复服务。紧急和服务号码（110、120）始终可以拨打；来电仍可接听。$/);
  });

  it('tells a warned courier to have the employer declare the use, once for two volume reasons', () => {
    const steps = nextSteps({
      state: Action.Warn,
      reasons: [ReasonCode.CallBurst, ReasonCode.ManyNewContacts],
      registry: undefined,
      reactivationChancesLeft: 1,
    });
    expect(steps.en).toBe(
      'Service is not affected. If your work (courier, delivery, logistics) needs many calls, ' +
        'have your employer or platform declare this use of the number.',
    );
    expect(steps.zh.match(/申报号码用途/g)).toHaveLength(1);
  });

  it('tells the target of a report attack there is nothing to do', () => {
    const steps = nextSteps({
      state: Action.None,
      reasons: [ReasonCode.ReportAttack],
      registry: undefined,
      reactivationChancesLeft: 1,
    });
    expect(steps.en).toBe(
      'Service is normal: nothing to do. ' +
        'Many reports came from people this number never contacted: recorded as a likely false-report attack; ' +
        'the number is protected and you need do nothing.',
    );
  });

  it('adds what the registry status means', () => {
    expect(
      nextSteps({ state: Action.None, reasons: [], registry: 'CLEARED', reactivationChancesLeft: 1 }).en,
    ).toContain('Police cleared this number');
    expect(
      nextSteps({ state: Action.None, reasons: [], registry: 'SUSPECTED', reactivationChancesLeft: 1 }).en,
    ).toContain('You can ask the police to verify the number');
  });

  it('says a police-confirmed number is blocked at any step and only the police lift it: never "normal"', () => {
    for (const state of [Action.None, Action.Monitor, Action.Warn, Action.Restrict, Action.Suspend]) {
      const steps = nextSteps({
        state,
        reasons: [ReasonCode.CallBurst, ReasonCode.RegistryConfirmed],
        registry: 'CONFIRMED',
        reactivationChancesLeft: 1,
      });
      expect(steps.en).toMatch(
        /^Calls from this number are blocked: the police confirmed fraud on it in the fraud registry\./,
      );
      expect(steps.en).toContain('ask the police who handled the case to review it (quote the case id)');
      expect(steps.en).not.toMatch(/normal|not affected|re-activation chance|declare this use/);
      expect(steps.zh).toContain('呼出被拦截');
      expect(steps.zh).toContain('案件编号');
      expect(steps.zh).not.toContain('服务正常');
    }
  });
});

describe(reasonsBehind.name, () => {
  const d = (action: Action, ...reasons: ReasonCode[]) => ({ action, reasons });

  it('reads the reasons of the decision that set the step and of any since, not older ones', () => {
    const decisions = [
      d(Action.Monitor, ReasonCode.ReportAttack),
      d(Action.Warn, ReasonCode.CallBurst),
      d(Action.Monitor, ReasonCode.NewNumber),
    ];
    expect(reasonsBehind(Action.Warn, decisions)).toEqual([ReasonCode.ReportAttack, ReasonCode.CallBurst]);
  });

  it('gives a number back on NONE no reasons, unless its newest decision flagged a report attack', () => {
    expect(
      reasonsBehind(Action.None, [d(Action.Restore, ReasonCode.IdVerified), d(Action.Suspend, ReasonCode.CallBurst)]),
    ).toEqual([]);
    expect(reasonsBehind(Action.None, [d(Action.Monitor, ReasonCode.ReportAttack)])).toEqual([ReasonCode.ReportAttack]);
  });
});

describe(reactivationChancesLeft.name, () => {
  it('counts the chances used inside the policy window only', () => {
    const ladder = new Ladder(DEFAULT_POLICY, false, () => '');
    const msisdn = '+8619100000001' as Msisdn;
    const now = Date.parse('2024-06-01T00:00:00Z');
    expect(reactivationChancesLeft(ladder, 1, now)).toBe(1);
    ladder.resume(1, Action.Suspend, now - DAY, [now - 10 * DAY]);
    expect(reactivationChancesLeft(ladder, 1, now)).toBe(0);
    expect(reactivationChancesLeft(ladder, 1, now + 181 * DAY)).toBe(1);
    expect(ladder.reactivate(1, msisdn, true, now).outcome).toBe('REFER_TO_POLICE');
  });
});
