import { assess, type Action, type Decision, type EngineView, type Msisdn } from '@app/domain';

/** Where a number stands after a change of it: its step before and after, and its assessment under the policy. */
export interface NumberAbout {
  before: Action;
  after: Action;
  score: number;
  /** The signals the assessment found, by code. */
  signals: string[];
}

/** `msisdn` as `engine` holds it at `atMs`, after a change that led to `decisions` (its step before: theirs). */
export function numberAbout(
  engine: EngineView,
  msisdn: Msisdn,
  atMs: number,
  decisions: readonly Decision[],
): NumberAbout {
  const after = engine.levelOf(msisdn, atMs);
  const active = decisions.find((d) => !d.shadow && d.msisdn === msisdn);
  const { score, signals } = assess(engine.features(msisdn, atMs), engine.primary.policy);
  return { before: active?.previous ?? after, after, score, signals: signals.map((s) => s.code) };
}
