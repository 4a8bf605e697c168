import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { contentHash, policyLabel, type PolicyDocument } from '@app/domain';
import { idempotentWrite } from '@app/persistence';
import { AnalysisService } from '../analysis/analysis.service';
import { PoliciesError } from './policies.errors';
import {
  PoliciesRepository,
  type PolicyAssignment,
  type PolicyMode,
  type PolicyRef,
  type StoredPolicy,
} from './policies.repository';
import { parsePolicyDocument, parsePolicyRef, requireReason } from './policy-input';

export interface PolicyChange {
  mode: PolicyMode;
  /** name@version; ignored when the shadow is switched off. */
  policy: string | undefined;
  reason: string | undefined;
}

/** name@version of the running policies; shadow empty when none runs. */
export interface RunningPolicies {
  active: string;
  shadow: string;
}

const label = (ref: PolicyRef | undefined) => (ref ? `${ref.name}@${ref.version}` : '');

/**
 * Policies as versioned data: stored versions never change, and the running
 * engine is switched at run time to what the latest assignments say.
 */
@Injectable()
export class PoliciesService {
  /** Switches apply one at a time, so the engine always ends on the latest assignment. */
  private switching: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: PoliciesRepository,
    private readonly analysis: AnalysisService,
  ) {}

  async list(): Promise<{ versions: StoredPolicy[]; running: RunningPolicies }> {
    const [versions, current] = await Promise.all([this.policies.list(), this.policies.current()]);
    return { versions, running: { active: label(current.active), shadow: label(current.shadow) } };
  }

  /**
   * Stores a new version. Its name and version are its key: the same document
   * again (a retry) answers the stored version; another document under a stored
   * name and version is ALREADY_EXISTS, as a stored version never changes.
   */
  async put(json: string | undefined, createdBy: string): Promise<StoredPolicy> {
    const document = parsePolicyDocument(json);
    const exists = () =>
      new PoliciesError(
        'VERSION_EXISTS',
        `${policyLabel(document)} is stored already: a stored version never changes, give the document a new version`,
        'document',
      );
    const { result } = await idempotentWrite({
      dataSource: this.dataSource,
      scope: 'carrier.policy',
      key: policyLabel(document),
      contentHash: contentHash(document),
      find: async (em) => {
        const stored = await this.policies.find(document.name, document.version, em);
        return stored && { contentHash: contentHash(stored.document), result: stored };
      },
      reused: exists,
      // Answered as stored (the database's JSON), so the first answer and a replay read the same.
      apply: async (em) => {
        if (!(await this.policies.insert(em, document, createdBy))) throw exists();
        return (await this.policies.find(document.name, document.version, em))!;
      },
    });
    return result;
  }

  /**
   * Records who made which policy active or shadow, and why, then switches the
   * running engine; every number keeps its step on the ladder.
   */
  async set(change: PolicyChange, changedBy: string): Promise<RunningPolicies> {
    const reason = requireReason(change.reason);
    const ref = change.mode === 'SHADOW_OFF' ? undefined : parsePolicyRef(change.policy);
    const run = this.switching.then(() => this.apply(change.mode, ref, reason, changedBy));
    this.switching = run.catch(() => undefined);
    return run;
  }

  /**
   * A switch to what already runs changes nothing and is not recorded again, so
   * retries of one switch, here or on another replica, record it once.
   */
  private async apply(
    mode: PolicyMode,
    ref: PolicyRef | undefined,
    reason: string,
    changedBy: string,
  ): Promise<RunningPolicies> {
    if (ref) await this.load(ref);
    const current = await this.dataSource.transaction(async (em) => {
      await this.policies.lockAssignments(em);
      const before = await this.policies.current(em);
      if (runs(before, mode, ref)) return before;
      await this.policies.assign(em, mode, ref, reason, changedBy);
      // From the stored assignments, not the request: the other kind may have changed elsewhere.
      return this.policies.current(em);
    });
    const active = await this.load(current.active);
    const shadow = current.shadow && (await this.load(current.shadow));
    await this.analysis.usePolicies(active, shadow);
    return { active: label(current.active), shadow: label(current.shadow) };
  }

  private async load(ref: PolicyRef): Promise<PolicyDocument> {
    const stored = await this.policies.find(ref.name, ref.version);
    if (!stored)
      throw new PoliciesError(
        'NOT_STORED',
        `${label(ref)} is not stored: ListPolicies shows the stored versions, PutPolicy adds one`,
        'policy',
      );
    return stored.document;
  }
}

/** Whether the assignments already run what the switch asks for. */
function runs(current: PolicyAssignment, mode: PolicyMode, ref: PolicyRef | undefined): boolean {
  const running = mode === 'ACTIVE' ? current.active : current.shadow;
  return label(running) === label(mode === 'SHADOW_OFF' ? undefined : ref);
}
