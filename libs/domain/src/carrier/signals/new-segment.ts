import { defineSignal, prefixes, SignalKind } from './signal';

/** Each list of segments as numbers (a list is the same array for as long as its policy is in force). */
const segmentSets = new WeakMap<readonly string[], ReadonlySet<number>>();

function segmentSet(list: readonly string[]): ReadonlySet<number> {
  let set = segmentSets.get(list);
  if (!set) segmentSets.set(list, (set = new Set(list.map(Number))));
  return set;
}

/**
 * The first three digits after 86 of a number's key (8619112345678 → 191), or
 * -1 when it does not start with 86 or has fewer than three digits after it.
 * Arithmetic, not text: it runs on every measurement.
 */
export function segmentOf(key: number): number {
  let scale = 1;
  while (scale * 10 <= key) scale *= 10;
  if (scale < 10_000 || Math.floor(key / (scale / 10)) !== 86) return -1;
  return Math.floor(key / (scale / 10_000)) % 1000;
}

/** A number in a newly opened segment (its first three digits after +86): weak evidence, never enough alone. */
export const newSegment = defineSignal({
  key: 'NewSegment',
  code: 'NEW_SEGMENT',
  text: {
    kind: SignalKind.Number,
    zh: '号码属于新启用号段',
    en: 'the number is in a newly opened segment',
    adviceZh: '号段本身不会导致停机。',
    adviceEn: 'The number segment alone never leads to suspension.',
  },
  weak: true,
  thresholds: { newSegments: prefixes() },
  windows: { new_segment: 86_400 },
  features: { newSegment: false },
  measure(m, t, f) {
    const segment = segmentOf(m.msisdnKey);
    f.newSegment = segment >= 0 && segmentSet(t.newSegments).has(segment);
  },
  assess(f, _t, a) {
    if (f.newSegment) a.add('new_segment', 1, 1, 1);
  },
});
