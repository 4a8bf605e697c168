import { AnalysisEngine, type EngineOptions } from '../engine';
import { partitionOf } from './partition';

/**
 * What one shard stores when its carrier stops to be re-sharded: its engine's image (AnalysisEngine.saveImage) and its
 * gate's (EventGate.saveImage), both taken after log entry `entry` (the journal position its snapshot covers).
 */
export interface ShardImage {
  entry: number;
  engine: readonly Uint8Array[];
  gate: Uint8Array;
}

/** How many shards the carrier ran on (`from`), and how many it is to run on (`to`). */
export interface ShardCounts {
  from: number;
  to: number;
}

/**
 * An offline re-shard: the images of a carrier's `counts.from` shards (in shard order, all taken after the same log
 * entry) made into the images of `counts.to` shards that go on from that entry exactly as the old ones would have.
 * New shard k keeps the numbers whose partitionOf(key, to) is k; each number's records (activity, standings and terms,
 * cited reasons, last callee warning) come from the one old shard that kept them. What is the carrier's (directory,
 * registry marks, high-risk cells, policies, the error budgets' counts and demotions) is whole and the same on every
 * old shard: checked, then taken from shard 0. The gate is the whole carrier's too: the same image on every shard,
 * checked and carried over.
 *
 * It goes through the engine's own calls, not the image bytes: each old image is loaded (AnalysisEngine.fromImage,
 * under `options`, the policies and carrier they were taken under), each new shard starts as old shard 0 keeping only
 * its numbers (keepNumbers) and takes the others' from the other old shards (adoptNumbers). Throws, naming what is
 * wrong, when the images do not fit together: another count than `from`, different log entries or gates, an image
 * that keeps numbers of another shard (out of order, or of another shard count), or carrier state that differs.
 */
export function reshard(options: EngineOptions, images: readonly ShardImage[], counts: ShardCounts): ShardImage[] {
  const { from, to } = counts;
  for (const [name, count] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`reshard: ${count} shards (${name})`);
  if (images.length !== from) throw new Error(`reshard: ${images.length} images for ${from} shards`);
  const first = images[0];
  images.forEach((image, i) => {
    if (image.entry !== first.entry)
      throw new Error(`reshard: shard ${i} stopped after log entry ${image.entry}, shard 0 after ${first.entry}`);
    if (!sameBytes(image.gate, first.gate))
      throw new Error(`reshard: the gate of shard ${i} differs from shard 0's: images of different log entries`);
  });
  const olds = images.map((image) => AnalysisEngine.fromImage(options, image.engine));
  olds.forEach((old, i) => {
    for (const key of old.keptNumbers()) {
      const owner = partitionOf(key, from);
      if (owner !== i)
        throw new Error(
          `reshard: the image of shard ${i} of ${from} keeps +${key}, a number of shard ${owner}: ` +
            'images out of order, or of another shard count',
        );
    }
    const differs = i === 0 ? undefined : olds[0].carrierDifference(old);
    if (differs !== undefined)
      throw new Error(`reshard: shards 0 and ${i} differ in ${differs}: images of different log entries?`);
  });
  return Array.from({ length: to }, (_, k) => {
    const ours = (key: number) => partitionOf(key, to) === k;
    const engine = AnalysisEngine.fromImage(options, first.engine);
    engine.keepNumbers((key) => ours(key) && partitionOf(key, from) === 0);
    for (let i = 1; i < from; i++) engine.adoptNumbers(olds[i], (key) => ours(key) && partitionOf(key, from) === i);
    return { entry: first.entry, engine: engine.saveImage(), gate: first.gate.slice() };
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
