import { protoJson } from './proto-json';

describe(protoJson.name, () => {
  it('writes Timestamps as RFC 3339 strings, at any depth, and leaves everything else', () => {
    const message = {
      caseId: 'SC-20240206-0001',
      openedAt: { seconds: 1707213600, nanos: 5_000_000 },
      dueAt: undefined,
      events: [{ at: { seconds: 1707217200, nanos: 0 }, actor: 'police', what: 'cleared' }],
      counts: { seconds: 3, nanos: 0, other: 1 },
    };
    expect(protoJson(message)).toEqual({
      caseId: 'SC-20240206-0001',
      openedAt: '2024-02-06T10:00:00.005Z',
      dueAt: undefined,
      events: [{ at: '2024-02-06T11:00:00.000Z', actor: 'police', what: 'cleared' }],
      counts: { seconds: 3, nanos: 0, other: 1 },
    });
  });
});
