import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * The log stream `npm start` gives a sharded carrier whose database is on its embedded PostgreSQL, when
 * CARRIER_LOG_STREAM is unset: CARRIER_<ID>_<8 hex digits of the data folder's path>. The log is the journal of the
 * database's shards, so a fresh data folder (a fresh database) starts a fresh log, and two data folders on one NATS
 * server never share one. Elsewhere the carrier's own default is CARRIER_<ID>.
 */
export function embeddedLogStream(carrierId: string, dataDir: string): string {
  const tag = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 8);
  return `CARRIER_${carrierId}_${tag}`;
}
