import { CARRIER_DEFAULT_METRICS_PORTS, CARRIER_DEFAULT_PORTS, shardPort } from './carrier-ports';

describe(shardPort.name, () => {
  it("puts shard 0 on the carrier's own port and shard k 100·k above it", () => {
    expect(shardPort(50061, 0)).toBe(50061);
    expect(shardPort(50061, 1)).toBe(50161);
    expect(shardPort(9471, 3)).toBe(9771);
    expect(shardPort(CARRIER_DEFAULT_PORTS.CMCC, 63)).toBe(56361);
  });

  it('keeps the shards of the default carriers apart, gRPC and metrics', () => {
    const ports = Object.values({ ...CARRIER_DEFAULT_PORTS })
      .concat(Object.values(CARRIER_DEFAULT_METRICS_PORTS))
      .flatMap((base) => Array.from({ length: 64 }, (_, k) => shardPort(base, k)));
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.max(...ports)).toBeLessThanOrEqual(65535);
  });

  it('refuses a shard that is not a whole number from 0', () => {
    expect(() => shardPort(50061, -1)).toThrow(new RangeError('shard -1 is not a shard number (0, 1, ...)'));
    expect(() => shardPort(50061, 1.5)).toThrow(RangeError);
  });
});
