/**
 * Reason codes and their texts, derived from the signals (signals/index.ts)
 * and the outcome reasons (signals/outcomes.ts): kept as a module for the
 * code that has always imported them from here.
 */
export { ReasonCode, REASONS, SignalKind, type ReasonText } from './signals';
