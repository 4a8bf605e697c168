import { normaliseMsisdn } from '../msisdn';
import { AnalysisEngine, msisdnKey } from './engine';
import { cst } from './fixtures/scenario';
import type { Decision } from './ladder';
import { noticeText, stillWorks } from './notice';
import { Action, DEFAULT_POLICY } from './policy';
import { ReasonCode } from './reasons';

const ESSENTIALS_ZH =
  '紧急和服务号码（110、119、120、122、12110、96110、12381、12321、10086、10010、10000、10099）始终可以拨打；';
const APPEAL_ZH = '如有异议，可致电客服或到营业厅申诉，也可申请公安机关甄别；误判将及时恢复，且不占用复机机会。';

describe('the notice says exactly what still works', () => {
  const at = cst('2024-03-01T10:00');
  const msisdn = normaliseMsisdn('13300000021', 'test');
  const decided = (action: Action.Restrict | Action.Suspend): Decision => {
    const engine = new AnalysisEngine({ policy: DEFAULT_POLICY, carrier: 'CTCC' });
    const decision = engine.primary.impose(msisdnKey(msisdn), msisdn, action, ReasonCode.Directive, at);
    if (!decision) throw new Error('no decision');
    return decision;
  };

  it('under RESTRICT: essentials always, known contacts within 30 days, every incoming call and data', () => {
    expect(noticeText(decided(Action.Restrict))).toBe(
      '【已限制呼出】您的号码+8613300000021于2024-03-01 10:00因通信管理局指令被限制呼出（仅限制拨打近30天内未联系过的号码）。' +
        ESSENTIALS_ZH +
        '近30天内与您通过电话或短信的号码仍可拨打；所有来电均可接听，上网不受影响。' +
        '请携带身份证到营业厅或通过官方渠道完成身份核验后恢复。如有异议，可申诉并申请公安机关甄别。' +
        APPEAL_ZH,
    );
  });

  it('under SUSPEND: essentials and incoming calls only', () => {
    expect(noticeText(decided(Action.Suspend))).toBe(
      '【已暂停服务】您的号码+8613300000021于2024-03-01 10:00因通信管理局指令被暂停服务。' +
        ESSENTIALS_ZH +
        '来电仍可接听。请携带身份证到营业厅核验身份办理复机。' +
        APPEAL_ZH,
    );
  });

  it('under a term too, and names the numbers of the policy it is given', () => {
    const termed = (d: Decision): Decision => ({ ...d, term: { until: at + 72 * 3_600_000, renewals: 0 } });
    const restrict = noticeText(termed(decided(Action.Restrict)), ['110', '120']);
    expect(restrict).toContain('被限制呼出，期限至2024-03-04 10:00。');
    expect(restrict).toContain(
      '期满前如无新的风险证据，将自动解除并降为风险提示。仅限制拨打近30天内未联系过的号码，' +
        '紧急和服务号码（110、120）始终可以拨打；近30天内与您通过电话或短信的号码仍可拨打；所有来电均可接听，上网不受影响。',
    );
    expect(noticeText(termed(decided(Action.Suspend)))).toContain(`${ESSENTIALS_ZH}来电仍可接听。也可携带身份证`);
  });

  it('in English as Explain words it', () => {
    expect(stillWorks(Action.Suspend, ['110']).en).toBe(
      'Emergency and service numbers (110) can always be called; incoming calls still come through.',
    );
    expect(stillWorks(Action.Restrict, []).en).toBe(
      'numbers you called, texted or heard from in the last 30 days can still be called; ' +
        'all incoming calls and data still work.',
    );
  });
});
