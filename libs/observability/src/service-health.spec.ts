import { Logger } from '@nestjs/common';
import { sampleOf } from '@app/testing';
import { Metrics } from './metrics';
import { ServiceHealth } from './service-health';

describe(ServiceHealth.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('tracks each dependency, tells listeners of changes, and logs each change once', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const health = new ServiceHealth();
    let changes = 0;
    health.onChange(() => changes++);
    health.declare('database', { critical: true, state: 'up' });
    health.declare('registry', { critical: false, detail: 'connecting to 127.0.0.1:50051' });
    expect(health.get('registry')).toMatchObject({ state: 'unknown', detail: 'connecting to 127.0.0.1:50051' });
    health.report('registry', false, 'cannot connect to 127.0.0.1:50051');
    health.report('registry', false, 'WatchChanges: UNAVAILABLE');
    expect(health.get('registry')).toMatchObject({ state: 'down', detail: 'WatchChanges: UNAVAILABLE' });
    expect(health.criticalUp).toBe(true);
    health.report('database', false, 'no answer');
    expect(health.criticalUp).toBe(false);
    health.report('database', true, 'answered');
    expect(changes).toBe(5); // two declarations, registry down, database down, database up
    expect(warn).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({ msg: 'database reachable again', dependency: 'database' }),
    );
  });

  it('exports fraud_dependency_up: 1 up, 0 down or not seen yet', async () => {
    const metrics = new Metrics('carrier-ctcc');
    const health = new ServiceHealth(metrics);
    health.declare('database', { critical: true, state: 'up' });
    health.declare('admin', { critical: false });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const text = await metrics.exposition();
    expect(sampleOf(text, 'fraud_dependency_up', { dependency: 'database', critical: 'true' })).toBe(1);
    expect(sampleOf(text, 'fraud_dependency_up', { dependency: 'admin', critical: 'false' })).toBe(0);
    health.report('admin', true, 'connected');
    expect(sampleOf(await metrics.exposition(), 'fraud_dependency_up', { dependency: 'admin' })).toBe(1);
  });
});
