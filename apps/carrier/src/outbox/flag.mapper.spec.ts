import type { DecisionEvidence } from '@app/domain';
import { toWireEvidence, toWireFlag, type RegistryFlagPayload } from './flag.mapper';

const evidence: DecisionEvidence = {
  summary: 'calls_90m 26 (threshold 20); answer_rate_24h 0.19 (threshold 0.3)',
  windowStart: Date.parse('2024-02-06T11:00:00.250Z'),
  windowEnd: Date.parse('2024-02-06T12:30:00Z'),
  measures: [
    { name: 'calls_90m', value: 26, threshold: 20 },
    { name: 'answer_rate_24h', value: 0.19, threshold: 0.3 },
  ],
  cells: [{ cell: '460-11-23456-1', at: Date.parse('2024-02-06T12:05:00.007Z'), activity: 'call' }],
};

const payload: RegistryFlagPayload = {
  msisdn: '+8617100000010',
  source: 'carrier:CTCC',
  reasonCodes: ['CALL_BURST', 'LOW_ANSWER_RATE'],
  score: 0.74,
  evidence,
  observedAt: Date.parse('2024-02-06T12:30:00Z'),
};

describe(toWireFlag.name, () => {
  it('sends the row’s key, this carrier as source, the reasons and score as stored, and times as Timestamps', () => {
    expect(toWireFlag('CTCC-0f3a', payload, 'carrier:CTCC')).toEqual({
      idempotencyKey: 'CTCC-0f3a',
      msisdn: '+8617100000010',
      source: 'carrier:CTCC',
      reasonCodes: ['CALL_BURST', 'LOW_ANSWER_RATE'],
      score: 0.74,
      evidence: {
        summary: evidence.summary,
        windowStart: { seconds: 1707217200, nanos: 250_000_000 },
        windowEnd: { seconds: 1707222600, nanos: 0 },
        measures: evidence.measures,
        cells: [{ cell: '460-11-23456-1', at: { seconds: 1707221100, nanos: 7_000_000 }, activity: 'call' }],
      },
      observedAt: { seconds: 1707222600, nanos: 0 },
    });
  });

  it('maps the same row to the same flag every time, so a resend is a replay', () => {
    expect(toWireFlag('k', payload, 'carrier:CTCC')).toEqual(toWireFlag('k', structuredClone(payload), 'carrier:CTCC'));
  });
});

describe(toWireEvidence.name, () => {
  it('never sends an empty summary (the registry requires one): the reasons stand in for it', () => {
    expect(toWireEvidence({ ...evidence, summary: '  ', measures: [] }, ['DIRECTIVE']).summary).toBe('DIRECTIVE');
    expect(toWireEvidence(evidence, ['CALL_BURST']).summary).toBe(evidence.summary);
  });
});
