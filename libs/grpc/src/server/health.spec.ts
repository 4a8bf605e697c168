import { ServiceHealth } from '@app/observability';
import { GrpcHealth } from './health';

describe(GrpcHealth.name, () => {
  const follow = () => {
    const dependencies = new ServiceHealth();
    dependencies.declare('database', { critical: true, state: 'up' });
    dependencies.declare('registry', { critical: false });
    const health = new GrpcHealth(['fraud.carrier.v1.CarrierService']);
    health.follow(dependencies);
    return { health, dependencies };
  };

  it('serves once started while every critical dependency is up; a non-critical one down only degrades', () => {
    const { health, dependencies } = follow();
    expect(health.status).toBe('NOT_SERVING');
    health.setServing();
    expect(health.report('carrier-ctcc')).toMatchObject({
      status: 'SERVING',
      dependencies: { database: { status: 'SERVING' }, registry: { status: 'UNKNOWN', critical: false } },
    });
    dependencies.report('registry', false, 'cannot connect to 127.0.0.1:50051');
    expect(health.report('carrier-ctcc')).toMatchObject({
      status: 'SERVING',
      dependencies: { registry: { status: 'NOT_SERVING', detail: 'cannot connect to 127.0.0.1:50051' } },
    });
    dependencies.report('database', false, 'no answer: timeout');
    expect(health.status).toBe('NOT_SERVING');
    dependencies.report('database', true, 'answered in 1 ms');
    expect(health.status).toBe('SERVING');
  });

  it('never goes back to SERVING once draining, whatever the dependencies do', async () => {
    const { health, dependencies } = follow();
    health.setServing();
    dependencies.report('database', false, 'gone');
    await health.drain(0);
    dependencies.report('database', true, 'back');
    health.setServing();
    expect(health.report('x')).toMatchObject({
      status: 'NOT_SERVING',
      dependencies: { database: { status: 'NOT_SERVING' } },
    });
  });
});
