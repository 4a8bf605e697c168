import { CaseStatus } from './case';
import { ItemEffect, planCases, type TimelineItem } from './case-planner';

const SLA = 24;
const at = (iso: string) => new Date(iso);
let n = 0;
const item = (iso: string, effect: ItemEffect, carrier = 'CTCC', key = `item-${++n}`): TimelineItem => ({
  key,
  at: at(iso),
  carrier,
  actor: `carrier:${carrier}`,
  what: effect,
  effect,
});
const fresh = { open: null, lastResolvedAt: null };

describe(planCases.name, () => {
  it('opens a case at the owner’s suspension, with the lead-up (reports, directives) before it', () => {
    const report = item('2024-02-05T10:00:00Z', ItemEffect.None, 'CMCC');
    const suspend = item('2024-02-06T10:00:00Z', ItemEffect.Suspend);
    const [plan, ...rest] = planCases(fresh, [suspend, report], SLA);
    expect(rest).toEqual([]);
    expect(plan).toEqual({ owner: 'CTCC', openedAt: suspend.at, events: [report, suspend] });
  });

  it('starts the clock at a clearance and resolves at the owner’s restore within it', () => {
    const plans = planCases(
      fresh,
      [
        item('2024-02-06T10:00:00Z', ItemEffect.Suspend),
        item('2024-02-07T00:00:00Z', ItemEffect.Clear, ''),
        item('2024-02-07T23:59:59Z', ItemEffect.Restore),
      ],
      SLA,
    );
    expect(plans).toHaveLength(1);
    expect(plans[0]!.clock).toEqual({ clearedAt: at('2024-02-07T00:00:00Z'), dueAt: at('2024-02-08T00:00:00Z') });
    expect(plans[0]!.resolution).toEqual({ at: at('2024-02-07T23:59:59Z'), status: CaseStatus.Resolved });
  });

  it('resolves as ESCALATED when restored after the due time, and RESOLVED when restored with no clock running', () => {
    const late = planCases(
      fresh,
      [
        item('2024-02-06T10:00:00Z', ItemEffect.Suspend),
        item('2024-02-07T00:00:00Z', ItemEffect.Clear, ''),
        item('2024-02-08T00:00:01Z', ItemEffect.Restore),
      ],
      SLA,
    );
    expect(late[0]!.resolution?.status).toBe(CaseStatus.Escalated);
    const noClock = planCases(
      fresh,
      [item('2024-02-06T10:00:00Z', ItemEffect.Suspend), item('2024-03-06T00:00:00Z', ItemEffect.Restore)],
      SLA,
    );
    expect(noClock[0]!.resolution?.status).toBe(CaseStatus.Resolved);
  });

  it('ignores other carriers’ restores and opens nothing without a suspension', () => {
    const plans = planCases(
      fresh,
      [item('2024-02-06T10:00:00Z', ItemEffect.Suspend), item('2024-02-06T11:00:00Z', ItemEffect.Restore, 'CMCC')],
      SLA,
    );
    expect(plans[0]!.resolution).toBeUndefined();
    expect(plans[0]!.events).toHaveLength(2);
    expect(
      planCases(
        fresh,
        [item('2024-02-06T10:00:00Z', ItemEffect.None), item('2024-02-06T11:00:00Z', ItemEffect.Restore)],
        SLA,
      ),
    ).toEqual([]);
  });

  it('opens a second case for a suspension after the first was resolved, with only what came after it', () => {
    const plans = planCases(
      fresh,
      [
        item('2024-02-01T00:00:00Z', ItemEffect.Suspend),
        item('2024-02-02T00:00:00Z', ItemEffect.Restore),
        item('2024-02-03T00:00:00Z', ItemEffect.None),
        item('2024-02-04T00:00:00Z', ItemEffect.Suspend),
      ],
      SLA,
    );
    expect(plans.map((p) => [p.openedAt.toISOString(), p.events.length, p.resolution?.status])).toEqual([
      ['2024-02-01T00:00:00.000Z', 2, CaseStatus.Resolved],
      ['2024-02-04T00:00:00.000Z', 2, undefined],
    ]);
  });

  it('continues the stored open case: its clock as stored, lead-up older than 30 days left out', () => {
    const open = {
      caseId: 'SC-20240206-0001',
      owner: 'CTCC',
      openedAt: at('2024-02-06T10:00:00Z'),
      dueAt: at('2024-02-08T00:00:00Z'),
    };
    const [plan] = planCases(
      { open, lastResolvedAt: null },
      [
        item('2024-01-01T00:00:00Z', ItemEffect.None),
        item('2024-02-07T12:00:00Z', ItemEffect.Clear, ''),
        item('2024-02-08T06:00:00Z', ItemEffect.Restore),
      ],
      SLA,
    );
    expect(plan).toMatchObject({ caseId: open.caseId, resolution: { status: CaseStatus.Escalated } });
    expect(plan!.clock).toBeUndefined();
    expect(plan!.events.map((e) => e.effect)).toEqual([ItemEffect.Clear, ItemEffect.Restore]);
    expect(planCases({ open, lastResolvedAt: null }, [], SLA)).toEqual([]);
  });

  it('does not count a clearance from before the suspension as the case’s clock', () => {
    const [plan] = planCases(
      fresh,
      [item('2024-02-05T00:00:00Z', ItemEffect.Clear, ''), item('2024-02-06T00:00:00Z', ItemEffect.Suspend)],
      SLA,
    );
    expect(plan!.clock).toBeUndefined();
    expect(plan!.events).toHaveLength(2);
  });
});
