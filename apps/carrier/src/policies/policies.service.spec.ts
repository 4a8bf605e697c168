import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_POLICY, DEFAULT_POLICY_V1, NAIVE_POLICY, type PolicyDocument } from '@app/domain';
import type { AnalysisService } from '../analysis/analysis.service';
import { PoliciesError } from './policies.errors';
import type { PoliciesRepository, PolicyMode, PolicyRef, StoredPolicy } from './policies.repository';
import { PoliciesService } from './policies.service';

/** Transactions of one caller at a time are all these tests need: the repository fake holds the data. */
const inMemory = {
  transaction: async (work: (em: EntityManager) => Promise<unknown>) =>
    work({ query: async () => [] } as unknown as EntityManager),
} as unknown as DataSource;

/** The repository's contract in memory: stored versions, and assignments in order. */
class FakePolicies implements Pick<
  PoliciesRepository,
  'find' | 'list' | 'insert' | 'lockAssignments' | 'assign' | 'current'
> {
  readonly stored = new Map<string, StoredPolicy>();
  readonly assignments: { mode: PolicyMode; policy: PolicyRef | undefined; reason: string; changedBy: string }[] = [];
  /** A policy whose reads take 10 ms, to interleave concurrent calls. */
  slow: string | undefined;

  constructor() {
    for (const document of [DEFAULT_POLICY_V1, DEFAULT_POLICY, NAIVE_POLICY])
      this.stored.set(`${document.name}@${document.version}`, {
        document,
        createdBy: 'built-in',
        createdAt: new Date(0),
      });
    this.assignments.push({
      mode: 'ACTIVE',
      policy: { name: 'default', version: DEFAULT_POLICY.version },
      reason: 'built-in default',
      changedBy: 'built-in',
    });
  }

  async find(name: string, version: number) {
    if (name === this.slow) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.stored.get(`${name}@${version}`);
  }

  async list() {
    return [...this.stored.values()];
  }

  async insert(_em: EntityManager, document: PolicyDocument, createdBy: string) {
    const key = `${document.name}@${document.version}`;
    if (this.stored.has(key)) return undefined;
    const stored = { document, createdBy, createdAt: new Date() };
    this.stored.set(key, stored);
    return stored;
  }

  async lockAssignments() {}

  async assign(_em: EntityManager, mode: PolicyMode, policy: PolicyRef | undefined, reason: string, changedBy: string) {
    this.assignments.push({ mode, policy, reason, changedBy });
  }

  async current() {
    const active = this.assignments.filter((a) => a.mode === 'ACTIVE').at(-1)!.policy!;
    const shadow = this.assignments.filter((a) => a.mode !== 'ACTIVE').at(-1);
    return { active, shadow: shadow?.mode === 'SHADOW' ? shadow.policy : undefined };
  }
}

describe(PoliciesService.name, () => {
  let policies: FakePolicies;
  let switches: [string, string | undefined][];
  let sut: PoliciesService;

  beforeEach(() => {
    policies = new FakePolicies();
    switches = [];
    const analysis = {
      usePolicies: (active: PolicyDocument, shadow?: PolicyDocument) =>
        switches.push([`${active.name}@${active.version}`, shadow && `${shadow.name}@${shadow.version}`]),
    };
    sut = new PoliciesService(
      inMemory,
      policies as unknown as PoliciesRepository,
      analysis as unknown as AnalysisService,
    );
  });

  it('runs a shadow beside the active policy, promotes it, stops it, recording who and why each time', async () => {
    expect(await sut.set({ mode: 'SHADOW', policy: 'naive@1', reason: 'count its mistaken kills' }, 'ops-li')).toEqual({
      active: 'default@5',
      shadow: 'naive@1',
    });
    expect(await sut.set({ mode: 'ACTIVE', policy: 'naive@1', reason: 'pilot' }, 'ops-li')).toEqual({
      active: 'naive@1',
      shadow: 'naive@1',
    });
    expect(await sut.set({ mode: 'SHADOW_OFF', policy: undefined, reason: 'pilot over' }, 'ops-wu')).toEqual({
      active: 'naive@1',
      shadow: '',
    });
    expect(switches).toEqual([
      ['default@5', 'naive@1'],
      ['naive@1', 'naive@1'],
      ['naive@1', undefined],
    ]);
    expect(policies.assignments.slice(1)).toEqual([
      {
        mode: 'SHADOW',
        policy: { name: 'naive', version: 1 },
        reason: 'count its mistaken kills',
        changedBy: 'ops-li',
      },
      { mode: 'ACTIVE', policy: { name: 'naive', version: 1 }, reason: 'pilot', changedBy: 'ops-li' },
      { mode: 'SHADOW_OFF', policy: undefined, reason: 'pilot over', changedBy: 'ops-wu' },
    ]);
  });

  it('refuses a version that is not stored, and then neither records nor switches anything', async () => {
    await expect(sut.set({ mode: 'ACTIVE', policy: 'default@7', reason: 'typo' }, 'ops-li')).rejects.toEqual(
      new PoliciesError(
        'NOT_STORED',
        'default@7 is not stored: ListPolicies shows the stored versions, PutPolicy adds one',
        'policy',
      ),
    );
    expect(policies.assignments).toHaveLength(1);
    expect(switches).toEqual([]);
  });

  it('applies concurrent switches one at a time, so the engine always ends where the assignments say', async () => {
    // Reading naive takes a while: without serialising, the later SHADOW_OFF would switch first and be overtaken.
    policies.slow = 'naive';
    const shadowOn = sut.set({ mode: 'SHADOW', policy: 'naive@1', reason: 'on' }, 'ops-li');
    await new Promise((resolve) => setTimeout(resolve, 15));
    const shadowOff = sut.set({ mode: 'SHADOW_OFF', policy: undefined, reason: 'off' }, 'ops-wu');
    await Promise.all([shadowOn, shadowOff]);
    expect(policies.assignments.map((a) => a.mode)).toEqual(['ACTIVE', 'SHADOW', 'SHADOW_OFF']);
    expect(switches).toEqual([
      ['default@5', 'naive@1'],
      ['default@5', undefined],
    ]);
  });

  it('stores a new version with who stored it, answers a retry with the stored one, never replaces it', async () => {
    const v6 = { ...DEFAULT_POLICY, version: 6 };
    const stored = await sut.put(JSON.stringify(v6), 'ops-li');
    expect(stored).toMatchObject({ document: v6, createdBy: 'ops-li' });
    await expect(sut.put(JSON.stringify(v6), 'ops-wu')).resolves.toEqual(stored);
    await expect(sut.put(JSON.stringify({ ...v6, description: 'other' }), 'ops-wu')).rejects.toMatchObject({
      code: 'VERSION_EXISTS',
      field: 'document',
    });
    expect(policies.stored.get('default@6')?.createdBy).toBe('ops-li');
  });

  it('records a switch to what already runs once: a retry changes nothing', async () => {
    const shadowOn = { mode: 'SHADOW' as const, policy: 'naive@1', reason: 'count its mistaken kills' };
    expect(await sut.set(shadowOn, 'ops-li')).toEqual({ active: 'default@5', shadow: 'naive@1' });
    expect(await sut.set(shadowOn, 'ops-li')).toEqual({ active: 'default@5', shadow: 'naive@1' });
    expect(await sut.set({ mode: 'ACTIVE', policy: 'default@5', reason: 'still default' }, 'ops-li')).toEqual({
      active: 'default@5',
      shadow: 'naive@1',
    });
    expect(policies.assignments.map((a) => a.mode)).toEqual(['ACTIVE', 'SHADOW']);
  });
});
