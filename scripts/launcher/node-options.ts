/**
 * The Node options every service process runs with, wherever it is started
 * (npm start, npm run bench; the Dockerfile's entrypoint has the same).
 *
 * `--max-semi-space-size=32` (MB; Node 20's default is 16 on 64-bit): a larger
 * young generation, so that a call's short-lived objects die there instead of
 * being promoted, at high call rates, into the old generation, whose collections
 * cost in proportion to the live heap; a carrier's is the engine's state of
 * every subscriber. In a pair of `npm run bench` (b, d) runs on the 2-core machine,
 * CheckCall's throughput after the ingest went from 0.75 to 0.97 of the raw server's.
 */
export const SERVICE_NODE_OPTIONS: readonly string[] = ['--enable-source-maps', '--max-semi-space-size=32'];
