import path from 'node:path';
// Jest loads global setup with plain Node resolution (no moduleNameMapper),
// so only relative imports of modules that themselves use no @app/* aliases.
import {
  EmbeddedPostgresInUseError,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '../../persistence/src/embedded-postgres';
import { freePort } from './free-port';

/** Shared with global-teardown, which jest runs in the same process. */
export const TEST_SERVER = Symbol.for('fraud.testing.embeddedPostgres');
const DEV_PORT = 54329;
const SLOTS = 4;

interface GlobalConfig {
  rootDir: string;
}

/**
 * Without DATABASE_URL, tests get a throwaway embedded PostgreSQL under
 * .data/test-pg on a free port; workers inherit DATABASE_URL from here.
 */
export default async function globalSetup(globalConfig: GlobalConfig): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const server = await startTestServer(path.join(globalConfig.rootDir, '.data'));
  process.env.DATABASE_URL = server.serverUrl;
  (globalThis as Record<symbol, unknown>)[TEST_SERVER] = server;
}

// Concurrent test runs in one checkout each take the next free slot.
async function startTestServer(dataRoot: string): Promise<EmbeddedServer> {
  for (let slot = 1; ; slot++) {
    const dataDir = path.join(dataRoot, slot === 1 ? 'test-pg' : `test-pg-${slot}`);
    try {
      return await startEmbeddedPostgres({ dataDir, port: await freePort([DEV_PORT]), durable: false });
    } catch (error) {
      if (!(error instanceof EmbeddedPostgresInUseError) || slot === SLOTS) throw error;
    }
  }
}
