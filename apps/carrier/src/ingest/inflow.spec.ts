import { Inflow } from './inflow';

describe(Inflow.name, () => {
  it('stops reading past the high mark and reads again at the low one', () => {
    const calls: string[] = [];
    const inflow = new Inflow({ pause: () => calls.push('pause'), resume: () => calls.push('resume') }, 4, 1);
    for (let i = 0; i < 3; i++) inflow.received();
    expect(calls).toEqual([]);
    inflow.received();
    expect(calls).toEqual(['pause']);
    inflow.received(); // one already on its way when reading stopped
    inflow.analysed();
    inflow.analysed();
    inflow.analysed();
    expect(calls).toEqual(['pause']);
    inflow.analysed();
    expect(calls).toEqual(['pause', 'resume']);
    inflow.analysed();
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('counts without a stream to pause', () => {
    const inflow = new Inflow(undefined, 1, 0);
    expect(() => {
      inflow.received();
      inflow.analysed();
    }).not.toThrow();
  });
});
