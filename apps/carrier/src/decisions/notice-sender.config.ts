import { envInt, type Env } from '@app/config';

/** Injection token of the NoticeSenderConfig. */
export const NOTICE_SENDER_CONFIG = Symbol('NOTICE_SENDER_CONFIG');

export interface NoticeSenderConfig {
  /** Notices locked and sent per transaction. */
  batch: number;
  /** The pause between rounds once everything unsent was sent. */
  intervalMs: number;
}

/** NOTICE_BATCH and NOTICE_INTERVAL_MS, validated at boot (a bad value stops the service, naming it). */
export function noticeSenderConfig(env: Env): NoticeSenderConfig {
  return {
    batch: envInt(env, 'NOTICE_BATCH', 100, 1, 1000),
    intervalMs: envInt(env, 'NOTICE_INTERVAL_MS', 1000, 10, 600_000),
  };
}
