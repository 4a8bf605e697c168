import path from 'node:path';
import { envInt, envString, type Env } from '@app/config';

export const DEFAULT_DATA_DIR = '.data';
export const DEFAULT_EMBEDDED_PG_PORT = 54329;

/** Where the development server keeps its data (`DATA_DIR`) and listens (`EMBEDDED_PG_PORT`). */
export function embeddedPostgresConfig(env: Env): { dataDir: string; port: number } {
  return {
    dataDir: path.resolve(envString(env, 'DATA_DIR', DEFAULT_DATA_DIR)),
    port: envInt(env, 'EMBEDDED_PG_PORT', DEFAULT_EMBEDDED_PG_PORT, 1, 65535),
  };
}
