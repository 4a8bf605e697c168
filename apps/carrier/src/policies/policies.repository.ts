import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  policyLabel,
  readImageHeader,
  validatePolicy,
  type CarrierId,
  type EngineOptions,
  type PolicyDocument,
} from '@app/domain';
import { parsePolicyRef } from './policy-input';

export type PolicyMode = 'ACTIVE' | 'SHADOW' | 'SHADOW_OFF';

export interface PolicyRef {
  name: string;
  version: number;
}

export interface StoredPolicy {
  document: PolicyDocument;
  createdBy: string;
  createdAt: Date;
}

export interface PolicyAssignment {
  active: PolicyRef;
  shadow: PolicyRef | undefined;
}

/** Arbitrary, fixed key of the lock that makes policy switches take turns across replicas. */
const ASSIGNMENT_LOCK_KEY = 727_005;

/** Owns policy and policy_assignment. */
@Injectable()
export class PoliciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(
    name: string,
    version: number,
    em: EntityManager = this.dataSource.manager,
  ): Promise<StoredPolicy | undefined> {
    const rows: { document: unknown; created_by: string; created_at: Date }[] = await em.query(
      `SELECT document, created_by, created_at FROM policy WHERE name = $1 AND version = $2`,
      [name, version],
    );
    return (
      rows[0] && {
        document: validatePolicy(rows[0].document),
        createdBy: rows[0].created_by,
        createdAt: rows[0].created_at,
      }
    );
  }

  /** The document of a policy the carrier runs (assigned, or named by an engine image); throws when not stored. */
  async document(ref: PolicyRef): Promise<PolicyDocument> {
    const stored = await this.find(ref.name, ref.version);
    if (!stored) throw new Error(`policy ${policyLabel(ref)} is not stored`);
    return stored.document;
  }

  /** The documents of the active and shadow policies assigned now. */
  async assignedDocuments(): Promise<{ active: PolicyDocument; shadow: PolicyDocument | undefined }> {
    const { active, shadow } = await this.current();
    return { active: await this.document(active), shadow: shadow && (await this.document(shadow)) };
  }

  /** What an engine image was taken under, to load it (AnalysisEngine.fromImage): the policies its header names. */
  async imageOptions(engineParts: readonly Uint8Array[], carrier: CarrierId): Promise<EngineOptions> {
    const header = readImageHeader(engineParts);
    const policy = await this.document(parsePolicyRef(header.primary, 'image.primary'));
    const shadow =
      header.shadow === undefined ? undefined : await this.document(parsePolicyRef(header.shadow, 'image.shadow'));
    return { policy, shadow, carrier };
  }

  async list(): Promise<StoredPolicy[]> {
    const rows: { document: unknown; created_by: string; created_at: Date }[] = await this.dataSource.query(
      `SELECT document, created_by, created_at FROM policy ORDER BY name, version`,
    );
    return rows.map((r) => ({
      document: validatePolicy(r.document),
      createdBy: r.created_by,
      createdAt: r.created_at,
    }));
  }

  /** Stores a new version; undefined when that name and version exist already (versions never change). */
  async insert(em: EntityManager, document: PolicyDocument, createdBy: string): Promise<StoredPolicy | undefined> {
    const rows: { created_at: Date }[] = await em.query(
      `INSERT INTO policy (name, version, document, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING created_at`,
      [document.name, document.version, JSON.stringify(document), createdBy],
    );
    return rows[0] && { document, createdBy, createdAt: rows[0].created_at };
  }

  /** One policy switch at a time, until the transaction ends. */
  async lockAssignments(em: EntityManager): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock($1)', [ASSIGNMENT_LOCK_KEY]);
  }

  async assign(
    em: EntityManager,
    mode: PolicyMode,
    policy: PolicyRef | undefined,
    reason: string,
    changedBy: string,
  ): Promise<void> {
    await em.query(
      `INSERT INTO policy_assignment (mode, name, version, reason, changed_by) VALUES ($1, $2, $3, $4, $5)`,
      [mode, policy?.name ?? null, policy?.version ?? null, reason, changedBy],
    );
  }

  /** The latest assignment of each kind: the active policy, and the shadow unless it was switched off since. */
  async current(em: EntityManager = this.dataSource.manager): Promise<PolicyAssignment> {
    const rows: { mode: PolicyMode; name: string | null; version: number | null }[] = await em.query(
      `SELECT DISTINCT ON (kind) mode, name, version FROM (
         SELECT *, CASE WHEN mode = 'ACTIVE' THEN 'A' ELSE 'S' END AS kind FROM policy_assignment
       ) a ORDER BY kind, id DESC`,
    );
    const active = rows.find((r) => r.mode === 'ACTIVE');
    if (!active?.name || active.version === null)
      throw new Error('no active policy assigned (the carrier migration seeds one)');
    const shadow = rows.find((r) => r.mode === 'SHADOW');
    return {
      active: { name: active.name, version: active.version },
      shadow: shadow?.name && shadow.version !== null ? { name: shadow.name, version: shadow.version } : undefined,
    };
  }
}
