import { Metadata, ServerCredentials, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { Controller, Logger, Module } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import type { registry } from '@app/contracts';
import {
  bootstrapGrpcApp,
  createGrpcClient,
  findFreePort,
  grpcMicroserviceOptions,
  startGrpcApp,
  unary,
  type GrpcApp,
} from '@app/grpc';
import { healthCheck } from '@app/testing';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Each handler says when a call has reached it, so that a drain starts with the calls surely in flight. */
function arrival(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}
const reached = { checkNumbers: arrival(), watchChanges: arrival() };

/** No guard here: these tests are about the server's life cycle. */
@Controller()
class SlowController {
  @GrpcMethod('RegistryService', 'checkNumbers')
  async checkNumbers(request: registry.CheckNumbersRequest): Promise<registry.CheckNumbersResponse> {
    reached.checkNumbers.resolve();
    await sleep(300);
    return {
      results: request.msisdns.map((msisdn) => ({ msisdn, status: 'NUMBER_STATUS_NOT_LISTED' as never, version: 1 })),
    };
  }

  @GrpcMethod('RegistryService', 'watchChanges')
  watchChanges(): Observable<registry.WatchChangesResponse> {
    reached.watchChanges.resolve();
    return new Observable(() => undefined); // a live feed: never ends by itself
  }
}

@Module({ controllers: [SlowController] })
class SlowAppModule {}

const registryService = {
  protoFiles: ['fraud/registry/v1/registry.proto'],
  packages: ['fraud.registry.v1'],
  healthServices: ['fraud.registry.v1.RegistryService'],
};

describe('gRPC server life cycle (e2e)', () => {
  it('drains: in-flight calls finish, live streams are cut after the grace period, new calls are refused', async () => {
    const port = await findFreePort();
    const app: GrpcApp = await startGrpcApp(
      SlowAppModule,
      grpcMicroserviceOptions({
        ...registryService,
        host: '127.0.0.1',
        port,
        credentials: ServerCredentials.createInsecure(),
      }),
      { logger: false },
    );
    const client = createGrpcClient(
      'fraud.registry.v1.RegistryService',
      'fraud/registry/v1/registry.proto',
      app.address,
    );
    try {
      const feed = client.watchChanges({ sinceVersion: 0 });
      const feedEnded = new Promise<ServiceError>((resolve) => feed.on('error', resolve));
      const inFlight = unary<registry.CheckNumbersResponse>(client, 'checkNumbers', { msisdns: ['+8619112345678'] });
      await Promise.all([reached.checkNumbers.promise, reached.watchChanges.promise]);

      const started = Date.now();
      await app.close(600);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500); // waited for the feed, up to the grace period
      expect((await inFlight).results).toHaveLength(1);
      expect((await feedEnded).code).toBe(GrpcCode.CANCELLED);
      await expect(
        unary(client, 'checkNumbers', { msisdns: [] }, new Metadata(), { deadline: Date.now() + 1000 }),
      ).rejects.toMatchObject({ code: GrpcCode.UNAVAILABLE });
    } finally {
      client.close();
      await app.close(0);
    }
  });

  describe(bootstrapGrpcApp.name, () => {
    let exit: jest.SpyInstance;
    let logged: jest.SpyInstance;
    beforeEach(() => {
      exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
      logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    });
    afterEach(() => {
      exit.mockRestore();
      logged.mockRestore();
    });

    it('listens, logs its address, reports SERVING, and drains on SIGTERM then exits 0', async () => {
      const port = await findFreePort();
      const signalListeners = process.listenerCount('SIGTERM');
      const handle = await bootstrapGrpcApp(SlowAppModule, {
        ...registryService,
        name: 'registry',
        defaultPort: port,
        env: { GRPC_INSECURE: 'true', GRPC_HOST: '127.0.0.1' },
        logger: false,
      });
      expect(handle.address).toBe(`127.0.0.1:${port}`);
      expect(logged).toHaveBeenCalledWith(`gRPC listening on 127.0.0.1:${port} (insecure)`);
      expect(await healthCheck(handle.address, 'fraud.registry.v1.RegistryService')).toBe('SERVING');

      process.emit('SIGTERM', 'SIGTERM');
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => exit.mock.calls.length > 0 && (clearInterval(poll), resolve()), 10);
      });
      expect(exit).toHaveBeenCalledWith(0);
      expect(process.listenerCount('SIGTERM')).toBe(signalListeners);
      await expect(healthCheck(handle.address, '')).rejects.toMatchObject({ code: GrpcCode.UNAVAILABLE });
    });

    it('stops with status 1 and the variable named when the configuration is wrong', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        await bootstrapGrpcApp(SlowAppModule, {
          ...registryService,
          name: 'registry',
          defaultPort: 1,
          env: {},
          logger: false,
        });
        expect(exit).toHaveBeenCalledWith(1);
        expect(error).toHaveBeenCalledWith(expect.stringMatching(/^configuration: GRPC_TLS_CERT: is required/));
      } finally {
        error.mockRestore();
      }
    });
  });
});
