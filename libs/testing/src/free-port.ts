import { createServer } from 'node:net';

/** A port the OS considers free on 127.0.0.1 right now. */
export function freePort(avoid: readonly number[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (avoid.includes(port) ? resolve(freePort(avoid)) : resolve(port)));
    });
  });
}
