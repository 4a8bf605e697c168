import type { EmbeddedServer } from '../../persistence/src/embedded-postgres';
import { TEST_SERVER } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<symbol, unknown>)[TEST_SERVER] as EmbeddedServer | undefined;
  await server?.stop();
}
