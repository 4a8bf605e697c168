import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ENV, envInt, type Env } from '@app/config';
import { GENESIS_HASH } from './audit-chain';
import { anchorVerifies, loadAnchorKey, signAnchor, type AnchorKey } from './audit-anchor';
import { AuditAnchorRepository, type DisagreeingAnchor, type StoredAnchor } from './audit-anchor.repository';
import { AuditLog } from './audit-log.service';
import { AuditRepository } from './audit.repository';

export const DEFAULT_ANCHOR_INTERVAL_MS = 60_000;

/** What is wrong with the chain, from the worst evidence down; `none` when it is intact. */
export type ChainFault = 'none' | 'link_broken' | 'rows_missing' | 'hash_mismatch' | 'anchor_invalid';

export interface AnchoredVerification {
  intact: boolean;
  eventsChecked: number;
  fault: ChainFault;
  /** What is wrong, in words ('' when intact). */
  detail: string;
  /** link_broken: the first line that does not match; hash_mismatch: the anchored line. */
  firstBrokenId: string | null;
  /** rows_missing: the last line the chain still has before the anchored one. */
  missingAfterId: string | null;
  /** The newest anchor before this verification (undefined when none was ever published). */
  anchorChecked: StoredAnchor | undefined;
  /** The head anchored by this verification (undefined if it could not be stored). */
  anchorPublished: StoredAnchor | undefined;
}

interface Finding {
  fault: Exclude<ChainFault, 'none' | 'link_broken'>;
  detail: string;
  brokenId?: string;
  missingAfterId?: string;
}

/** Anchors that disagree with the chain looked at per verification; the oldest tells most. */
const DISAGREEING_LIMIT = 100;

/**
 * Anchors the audit chain's head outside the audited table: at start-up, every
 * AUDIT_ANCHOR_INTERVAL_MS (at most a minute) and on each verification, the
 * head (last line's id and hash) is signed with the registry's own Ed25519 key,
 * stored in audit_anchor through the anchor role's pool (the role that writes
 * the audit log cannot), and logged as one structured line. Verification
 * recomputes the chain and holds it against the anchors: a chain that lacks an
 * anchored line or has another hash there lost or rewrote lines, whatever the
 * hashes of the lines left say.
 */
@Injectable()
export class AuditAnchors implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditAnchors.name);
  private readonly key: AnchorKey;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  /** The last head this process anchored: holds even should the anchor table lose its rows. */
  private lastPublished: StoredAnchor | undefined;

  constructor(
    private readonly log: AuditLog,
    private readonly events: AuditRepository,
    private readonly anchors: AuditAnchorRepository,
    @Inject(ENV) env: Env,
  ) {
    this.key = loadAnchorKey(env);
    this.intervalMs = envInt(env, 'AUDIT_ANCHOR_INTERVAL_MS', DEFAULT_ANCHOR_INTERVAL_MS, 1_000, 60_000);
  }

  /** The first anchor is stored before the service takes calls: an anchor role that cannot write stops the start. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.key.created) this.logger.log(`created the audit anchor signing key ${this.key.file}`);
    this.logger.log({
      msg: 'audit anchors signed with key',
      key_id: this.key.keyId,
      public_key: this.key.publicKeyPem.trim(),
      interval_ms: this.intervalMs,
    });
    await this.publish();
    this.timer = setInterval(() => this.publishInBackground(), this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pending;
  }

  /** SPKI PEM of the key that verifies this registry's anchors. */
  get publicKeyPem(): string {
    return this.key.publicKeyPem;
  }

  /** Signs the chain's head now, stores it through the anchor role and logs it. */
  async publish(): Promise<StoredAnchor> {
    const head = (await this.events.head()) ?? { id: '0', hash: GENESIS_HASH };
    const previous = this.lastPublished;
    const anchor = signAnchor(this.key, { headId: head.id, headHash: head.hash, at: new Date() });
    const stored = { ...anchor, id: await this.anchors.insert(anchor) };
    this.logger.log({
      msg: 'audit anchor',
      anchor_id: stored.id,
      head_id: stored.headId,
      head_hash: stored.headHash,
      at: stored.at.toISOString(),
      key_id: stored.keyId,
      signature: stored.signature,
    });
    if (!this.lastPublished || BigInt(stored.headId) >= BigInt(this.lastPublished.headId)) this.lastPublished = stored;
    if (previous) await this.warnIfLost(previous);
    return stored;
  }

  /**
   * The whole chain recomputed, then held against the anchors: every anchor
   * whose line is missing or has another hash, this process's last anchor, and
   * the newest anchor's signature. Then the head is anchored.
   */
  async verify(): Promise<AnchoredVerification> {
    const anchorChecked = await this.anchors.newest();
    const chain = await this.log.verifyChain();
    let result: Omit<AnchoredVerification, 'anchorPublished'>;
    if (!chain.intact) {
      result = {
        intact: false,
        eventsChecked: chain.eventsChecked,
        fault: 'link_broken',
        detail:
          `line ${chain.firstBrokenId} does not match its content or the line before it: ` +
          'lines were changed, removed or reordered',
        firstBrokenId: chain.firstBrokenId,
        missingAfterId: null,
        anchorChecked,
      };
    } else {
      const finding = await this.findAgainstAnchors(anchorChecked);
      result = {
        intact: finding === undefined,
        eventsChecked: chain.eventsChecked,
        fault: finding?.fault ?? 'none',
        detail: finding?.detail ?? '',
        firstBrokenId: finding?.brokenId ?? null,
        missingAfterId: finding?.missingAfterId ?? null,
        anchorChecked,
      };
    }
    let anchorPublished: StoredAnchor | undefined;
    try {
      anchorPublished = await this.publish();
    } catch (error) {
      this.logger.warn(`could not anchor the audit chain's head after a verification: ${(error as Error).message}`);
    }
    return { ...result, anchorPublished };
  }

  private async findAgainstAnchors(newest: StoredAnchor | undefined): Promise<Finding | undefined> {
    const findings: Finding[] = [];
    for (const anchor of await this.anchors.disagreeing(DISAGREEING_LIMIT)) {
      findings.push(
        anchorVerifies(this.key, anchor)
          ? lostHead(anchor, `anchor ${anchor.id} of ${anchor.at.toISOString()}`)
          : invalid(anchor),
      );
    }
    const own = this.lastPublished;
    if (own && own.headId !== '0') {
      const found = await this.events.hashOf(own.headId);
      if (found !== own.headHash) {
        const keptBefore = await this.events.lastIdBefore(own.headId);
        findings.push(
          lostHead(
            { ...own, foundHash: found ?? null, keptBefore },
            `this registry's anchor ${own.id} of ${own.at.toISOString()}`,
          ),
        );
      }
    }
    if (newest && !anchorVerifies(this.key, newest)) findings.push(invalid(newest));
    // Evidence signed by this registry first: it says what happened to the lines.
    return findings.find((f) => f.fault !== 'anchor_invalid') ?? findings[0];
  }

  private publishInBackground(): void {
    this.pending = this.publish().catch((error: unknown) =>
      this.logger.warn(`could not anchor the audit chain's head: ${(error as Error).message}`),
    );
  }

  /**
   * Between two anchors of this process the previous head must still be there,
   * unchanged: said at once, not only when an auditor asks.
   */
  private async warnIfLost(previous: StoredAnchor): Promise<void> {
    if (previous.headId === '0') return;
    const found = await this.events.hashOf(previous.headId);
    if (found === previous.headHash) return;
    this.logger.error({
      msg: 'audit chain lost an anchored line',
      head_id: previous.headId,
      anchored_hash: previous.headHash,
      found_hash: found ?? null,
      anchored_at: previous.at.toISOString(),
    });
  }
}

function lostHead(anchor: DisagreeingAnchor, which: string): Finding {
  if (anchor.foundHash === null) {
    return {
      fault: 'rows_missing',
      detail:
        `rows missing after id ${anchor.keptBefore}: ` +
        `${which} records line ${anchor.headId} (hash ${anchor.headHash.slice(0, 12)}…) as the head`,
      missingAfterId: anchor.keptBefore,
    };
  }
  return {
    fault: 'hash_mismatch',
    detail:
      `hash mismatch at id ${anchor.headId}: ${which} records ${anchor.headHash.slice(0, 12)}…, ` +
      `the chain has ${anchor.foundHash.slice(0, 12)}…`,
    brokenId: anchor.headId,
  };
}

function invalid(anchor: StoredAnchor): Finding {
  return {
    fault: 'anchor_invalid',
    detail:
      `anchor ${anchor.id} (line ${anchor.headId}, ${anchor.at.toISOString()}, key ${anchor.keyId}) ` +
      "does not verify with this registry's key: forged, or signed by another key",
  };
}
