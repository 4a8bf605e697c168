import { status } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import {
  DEFAULT_POLICY,
  DEFAULT_POLICY_V1,
  DEFAULT_POLICY_V2,
  DEFAULT_POLICY_V3,
  DEFAULT_POLICY_V4,
  NAIVE_POLICY,
} from '@app/domain';
import { CarrierHarness, type CarrierClient } from './carrier-harness';
import { rowsOf } from '@app/testing';

const grpcError = (code: status, details: string) => ({ code, details: expect.stringContaining(details) });

describe('ListPolicies, PutPolicy and SetPolicy (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let ops: CarrierClient;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    ops = carrier.client('carrier:CTCC', 'ops-li');
  });
  afterAll(() => carrier.close());

  const list = () => ops.listPolicies({});
  const put = (document: unknown) =>
    ops.putPolicy({ document: typeof document === 'string' ? document : JSON.stringify(document) });
  const set = (request: Partial<carrier.SetPolicyRequest>) => ops.setPolicy(request);
  const assignments = () =>
    rowsOf(
      carrier.db.url,
      `SELECT mode, name, version, reason, changed_by, changed_at FROM policy_assignment ORDER BY id`,
    );

  it('lists the stored versions with their documents, and which policy is active and which in shadow', async () => {
    const policies = await list();
    expect(policies).toMatchObject({ active: 'default@5', shadow: '' });
    expect(policies.versions.map((v) => [v.name, v.version, v.createdBy])).toEqual([
      ['default', 1, 'built-in'],
      ['default', 2, 'built-in'],
      ['default', 3, 'built-in'],
      ['default', 4, 'built-in'],
      ['default', 5, 'built-in'],
      ['naive', 1, 'built-in'],
    ]);
    expect(JSON.parse(policies.versions[0].document)).toEqual(DEFAULT_POLICY_V1);
    expect(JSON.parse(policies.versions[1].document)).toEqual(DEFAULT_POLICY_V2);
    expect(JSON.parse(policies.versions[2].document)).toEqual(DEFAULT_POLICY_V3);
    expect(JSON.parse(policies.versions[3].document)).toEqual(DEFAULT_POLICY_V4);
    expect(JSON.parse(policies.versions[4].document)).toEqual(DEFAULT_POLICY);
    expect(JSON.parse(policies.versions[5].document)).toEqual(NAIVE_POLICY);
    expect(Number(policies.versions[0].createdAt?.seconds)).toBeGreaterThan(0);
  });

  it('made each built-in default active over the one before at migration, saying why', async () => {
    expect((await assignments()).slice(0, 5)).toMatchObject([
      { mode: 'ACTIVE', name: 'default', version: 1, reason: 'built-in default', changed_by: 'built-in' },
      {
        mode: 'ACTIVE',
        name: 'default',
        version: 2,
        reason: expect.stringContaining('threshold probers'),
        changed_by: 'built-in',
      },
      {
        mode: 'ACTIVE',
        name: 'default',
        version: 3,
        reason: expect.stringContaining('least harm'),
        changed_by: 'built-in',
      },
      {
        mode: 'ACTIVE',
        name: 'default',
        version: 4,
        reason: expect.stringContaining('before the analysis restricts'),
        changed_by: 'built-in',
      },
      {
        mode: 'ACTIVE',
        name: 'default',
        version: 5,
        reason: expect.stringContaining('nobody returns'),
        changed_by: 'built-in',
      },
    ]);
  });

  it('stores a new version with who stored it, answers a retry with it, and never changes a stored one', async () => {
    const v6 = {
      ...DEFAULT_POLICY,
      version: 6,
      description: 'default with a lower warn step',
      ladder: { ...DEFAULT_POLICY.ladder, warn: 0.35 },
    };
    const { version } = await put(v6);
    expect(version).toMatchObject({ name: 'default', version: 6, createdBy: 'ops-li' });
    expect(JSON.parse(version!.document)).toEqual(v6);
    await expect(put(v6)).resolves.toEqual({ version });
    await expect(put({ ...v6, description: 'something else' })).rejects.toMatchObject(
      grpcError(status.ALREADY_EXISTS, 'default@6 is stored already'),
    );
    await expect(put({ ...DEFAULT_POLICY, description: 'mine now' })).rejects.toMatchObject(
      grpcError(status.ALREADY_EXISTS, 'default@5'),
    );
    await expect(put(DEFAULT_POLICY)).resolves.toMatchObject({
      version: { name: 'default', version: 5, createdBy: 'built-in' },
    });
    const stored = (await list()).versions.find((v) => v.name === 'default' && v.version === 6);
    expect(JSON.parse(stored!.document)).toEqual(v6);
  });

  it.each([
    ['no document', '', 'document: a policy document (JSON) is required'],
    ['not JSON', '{"name": "default",', 'document: is not JSON'],
    ['not an object', '[1, 2]', 'document: policy: must be a JSON object'],
    ['a bad name', { ...DEFAULT_POLICY, name: 'Default Policy' }, 'document: policy.name: must be a lower-case name'],
    ['no version', { ...DEFAULT_POLICY, version: 0 }, 'document: policy.version: must be a whole number ≥ 1'],
    [
      'a ladder that does not rise',
      { ...DEFAULT_POLICY, version: 6, ladder: { monitor: 0.2, warn: 0.7, restrict: 0.6, suspend: 0.85 } },
      'document: policy.ladder: must rise',
    ],
    [
      'an unknown reason code',
      { ...DEFAULT_POLICY, version: 6, weights: { CALL_BURSTS: 0.4 } },
      'document: policy.weights.CALL_BURSTS: is not a reason code',
    ],
    [
      'a weight above 1',
      { ...DEFAULT_POLICY, version: 6, weights: { CALL_BURST: 1.5 } },
      'document: policy.weights.CALL_BURST: must be between 0 and 1',
    ],
    [
      'a missing threshold',
      { ...DEFAULT_POLICY, version: 6, thresholds: { ...DEFAULT_POLICY.thresholds, calls90m: undefined } },
      'document: policy.thresholds.calls90m: must be a number',
    ],
    [
      'a negative threshold',
      {
        ...DEFAULT_POLICY,
        version: 6,
        thresholds: { ...DEFAULT_POLICY.thresholds, oneRing: { maxRingSec: -1, count24h: 12 } },
      },
      'document: policy.thresholds.oneRing.maxRingSec',
    ],
    ['a bad curve', { ...DEFAULT_POLICY, version: 6, curve: 'log' }, 'document: policy.curve'],
    [
      'a profile multiplier below 1',
      {
        ...DEFAULT_POLICY,
        version: 6,
        profileVolumeMultiplier: { ...DEFAULT_POLICY.profileVolumeMultiplier, courier: 0.5 },
      },
      'document: policy.profileVolumeMultiplier.courier',
    ],
    [
      'an unknown gate step',
      { ...DEFAULT_POLICY, version: 6, gates: { ...DEFAULT_POLICY.gates, weakEvidenceCap: 'BAN' } },
      'document: policy.gates.weakEvidenceCap',
    ],
    [
      'no reactivation rule',
      { ...DEFAULT_POLICY, version: 6, reactivation: undefined },
      'document: policy.reactivation.chances',
    ],
    [
      'a huge document',
      { ...DEFAULT_POLICY, version: 6, description: 'x'.repeat(70_000) },
      'document: at most 65536 bytes',
    ],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_what, document, details) => {
    await expect(put(document)).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, details));
  });

  it('runs a stored version in shadow, and stops it, recording who, when and why', async () => {
    const before = Date.now();
    await expect(
      set({ policy: 'naive@1', mode: 'POLICY_MODE_SHADOW' as never, reason: 'count naive’s mistaken kills' }),
    ).resolves.toEqual({ active: 'default@5', shadow: 'naive@1' });
    expect(await list()).toMatchObject({ active: 'default@5', shadow: 'naive@1' });
    await expect(set({ mode: 'POLICY_MODE_SHADOW_OFF' as never, reason: 'enough data' })).resolves.toEqual({
      active: 'default@5',
      shadow: '',
    });
    expect(await list()).toMatchObject({ active: 'default@5', shadow: '' });
    const rows = (await assignments()).slice(5);
    expect(rows).toMatchObject([
      { mode: 'SHADOW', name: 'naive', version: 1, reason: 'count naive’s mistaken kills', changed_by: 'ops-li' },
      { mode: 'SHADOW_OFF', name: null, version: null, reason: 'enough data', changed_by: 'ops-li' },
    ]);
    expect((rows[0].changed_at as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it.each([
    ['no reason', { policy: 'naive@1', mode: 'POLICY_MODE_SHADOW' }, status.INVALID_ARGUMENT, 'reason: say why'],
    [
      'a blank reason',
      { policy: 'naive@1', mode: 'POLICY_MODE_SHADOW', reason: '   ' },
      status.INVALID_ARGUMENT,
      'reason',
    ],
    [
      'an overlong reason',
      { policy: 'naive@1', mode: 'POLICY_MODE_SHADOW', reason: 'x'.repeat(501) },
      status.INVALID_ARGUMENT,
      'reason: at most 500',
    ],
    ['no mode', { policy: 'naive@1', reason: 'r' }, status.INVALID_ARGUMENT, 'mode: must be POLICY_MODE_ACTIVE'],
    [
      'no policy',
      { mode: 'POLICY_MODE_ACTIVE', reason: 'r' },
      status.INVALID_ARGUMENT,
      'policy: name@version of a stored policy is required',
    ],
    [
      'a policy without a version',
      { policy: 'naive', mode: 'POLICY_MODE_ACTIVE', reason: 'r' },
      status.INVALID_ARGUMENT,
      'policy: "naive" is not name@version',
    ],
    [
      'a version not stored',
      { policy: 'naive@2', mode: 'POLICY_MODE_ACTIVE', reason: 'r' },
      status.NOT_FOUND,
      'policy: naive@2 is not stored',
    ],
    [
      'a policy never stored',
      { policy: 'strict@1', mode: 'POLICY_MODE_SHADOW', reason: 'r' },
      status.NOT_FOUND,
      'policy: strict@1 is not stored',
    ],
  ])('refuses %s, and changes nothing', async (_what, request, code, details) => {
    const before = await assignments();
    await expect(set(request as never)).rejects.toMatchObject(grpcError(code, details));
    expect(await assignments()).toEqual(before);
    expect(await list()).toMatchObject({ active: 'default@5', shadow: '' });
  });

  it('writes PutPolicy and SetPolicy calls to the audit log with who, why and the outcome', async () => {
    const audit = await rowsOf(
      carrier.db.url,
      `SELECT actor, role, action, purpose, outcome, detail FROM audit_event
       WHERE action LIKE 'fraud.carrier.v1.CarrierService/%Policy' ORDER BY id`,
    );
    expect(audit).toContainEqual({
      actor: 'ops-li',
      role: 'carrier:CTCC',
      action: 'fraud.carrier.v1.CarrierService/PutPolicy',
      purpose: null,
      outcome: 'OK',
      detail: { policy: 'default@6' },
    });
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'fraud.carrier.v1.CarrierService/PutPolicy',
        outcome: 'ALREADY_EXISTS',
        detail: { policy: 'default@5' },
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'fraud.carrier.v1.CarrierService/PutPolicy',
        outcome: 'INVALID_ARGUMENT',
        detail: { policy: null },
      }),
    );
    expect(audit).toContainEqual({
      actor: 'ops-li',
      role: 'carrier:CTCC',
      action: 'fraud.carrier.v1.CarrierService/SetPolicy',
      purpose: 'count naive’s mistaken kills',
      outcome: 'OK',
      detail: { policy: 'naive@1', mode: 'POLICY_MODE_SHADOW' },
    });
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'fraud.carrier.v1.CarrierService/SetPolicy',
        outcome: 'NOT_FOUND',
        detail: { policy: 'naive@2', mode: 'POLICY_MODE_ACTIVE' },
      }),
    );
    // Reads of the policy list are not audited.
    expect(audit.some((a) => a.action === 'fraud.carrier.v1.CarrierService/ListPolicies')).toBe(false);
  });
});
