import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { ServiceHealth } from '@app/observability';
import { PeerConnection, RegistryPeerConnection, type PeerSpec } from './peer-connection';

const spec = (health?: ServiceHealth): Omit<PeerSpec, 'peer'> => ({
  address: undefined,
  identity: { subject: 'carrier-ctcc', role: 'carrier:CTCC' },
  tokenFile: undefined,
  retryMaxMs: 1000,
  env: {},
  health,
});

class AdminPeer extends PeerConnection {
  constructor(health?: ServiceHealth) {
    super({ ...spec(health), peer: 'admin' });
  }

  submit(): Promise<unknown> {
    return this.trackedUnary('SubmitCarrierFeed', { items: [] }, 1000);
  }

  track<T>(call: Promise<T>): Promise<T> {
    return this.tracked('SubmitCarrierFeed', call);
  }
}

class RegistryPeer extends RegistryPeerConnection {
  constructor() {
    super(spec());
  }
}

describe(PeerConnection.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('names the peer by its variable and service when called without an address', () => {
    expect(new AdminPeer().enabled).toBe(false);
    expect(() => new AdminPeer().submit()).toThrow(
      'ADMIN_ADDRESS is not set: fraud.admin.v1.AdminService is not called',
    );
    expect(() => new RegistryPeer().watchChanges(0)).toThrow(
      'REGISTRY_ADDRESS is not set: fraud.registry.v1.RegistryService is not called',
    );
  });

  it("reports an unreached call as the peer's dependency down, an answered one as up", async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const health = new ServiceHealth();
    health.declare('admin', { critical: false });
    const peer = new AdminPeer(health);
    const unreached = Object.assign(new Error('no connection'), { code: status.UNAVAILABLE, details: 'refused' });
    await expect(peer.track(Promise.reject(unreached))).rejects.toBe(unreached);
    expect(health.get('admin')).toMatchObject({ state: 'down', detail: 'SubmitCarrierFeed: UNAVAILABLE (refused)' });
    await peer.track(Promise.resolve({}));
    expect(health.get('admin')).toMatchObject({ state: 'up', detail: 'SubmitCarrierFeed answered' });
  });
});
