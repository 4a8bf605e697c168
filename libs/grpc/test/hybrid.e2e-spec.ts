import { createServer } from 'node:net';
import { Metadata, ServerCredentials, status as GrpcCode } from '@grpc/grpc-js';
import { Catch, Controller, Get, Logger, Module, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { registry } from '@app/contracts';
import { DomainError, ErrorKind } from '@app/domain';
import {
  bootstrapHybridApp,
  createGrpcClient,
  findFreePort,
  grpcMicroserviceOptions,
  startHybridApp,
  unary,
  type HybridApp,
} from '@app/grpc';
import { healthCheck } from '@app/testing';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class NoSuchNumber extends DomainError {
  readonly kind = ErrorKind.NotFound;

  constructor() {
    super('no such number', 'msisdn');
  }
}

/** No guard here: these tests are about the servers' life cycle and error answers. */
@Controller()
class SlowGrpcController {
  @GrpcMethod('RegistryService', 'checkNumbers')
  async checkNumbers(request: registry.CheckNumbersRequest): Promise<registry.CheckNumbersResponse> {
    await sleep(300);
    if (request.msisdns.length === 0) throw new NoSuchNumber();
    return {
      results: request.msisdns.map((msisdn) => ({ msisdn, status: 'NUMBER_STATUS_NOT_LISTED' as never, version: 1 })),
    };
  }
}

@Controller('http')
class SlowHttpController {
  @Get('slow')
  async slow(): Promise<{ done: boolean }> {
    await sleep(300);
    return { done: true };
  }

  @Get('missing')
  missing(): never {
    throw new NoSuchNumber();
  }
}

/** What the HTTP side answers for a failure: the error's kind, in JSON. */
@Catch()
class KindFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    response
      .status(exception instanceof DomainError ? 404 : 500)
      .json({ kind: exception instanceof DomainError ? exception.kind : 'unknown' });
  }
}

@Module({ controllers: [SlowGrpcController, SlowHttpController] })
class HybridAppModule {}

const registryService = {
  protoFiles: ['fraud/registry/v1/registry.proto'],
  packages: ['fraud.registry.v1'],
  healthServices: ['fraud.registry.v1.RegistryService'],
};

async function start(): Promise<HybridApp> {
  const grpc = grpcMicroserviceOptions({
    ...registryService,
    host: '127.0.0.1',
    port: await findFreePort(),
    credentials: ServerCredentials.createInsecure(),
  });
  return startHybridApp(
    HybridAppModule,
    grpc,
    { host: '127.0.0.1', port: 0, errorFilter: new KindFilter() },
    { logger: false },
  );
}

describe('hybrid gRPC + HTTP app (e2e)', () => {
  it('answers failures in each transport’s terms', async () => {
    const app = await start();
    const client = createGrpcClient(
      'fraud.registry.v1.RegistryService',
      'fraud/registry/v1/registry.proto',
      app.address,
    );
    try {
      await expect(unary(client, 'checkNumbers', { msisdns: [] })).rejects.toMatchObject({
        code: GrpcCode.NOT_FOUND,
        details: 'msisdn: no such number',
      });
      const answer = await fetch(`http://${app.httpAddress}/http/missing`);
      expect([answer.status, await answer.json()]).toEqual([404, { kind: ErrorKind.NotFound }]);
    } finally {
      client.close();
      await app.close(0);
    }
  });

  it('drains both servers: in-flight work finishes, then both refuse, and health says NOT_SERVING first', async () => {
    const app = await start();
    const client = createGrpcClient(
      'fraud.registry.v1.RegistryService',
      'fraud/registry/v1/registry.proto',
      app.address,
    );
    try {
      expect(await healthCheck(app.address, 'fraud.registry.v1.RegistryService')).toBe('SERVING');
      const httpInFlight = fetch(`http://${app.httpAddress}/http/slow`);
      const grpcInFlight = unary<registry.CheckNumbersResponse>(client, 'checkNumbers', {
        msisdns: ['+8619112345678'],
      });
      await sleep(100); // both have reached their handlers

      await app.close(2000);
      const http = await httpInFlight;
      expect([http.status, await http.json()]).toEqual([200, { done: true }]);
      expect((await grpcInFlight).results).toHaveLength(1);
      await expect(fetch(`http://${app.httpAddress}/http/slow`)).rejects.toThrow();
      await expect(
        unary(client, 'checkNumbers', { msisdns: ['+8619112345678'] }, new Metadata(), { deadline: Date.now() + 1000 }),
      ).rejects.toMatchObject({ code: GrpcCode.UNAVAILABLE });
    } finally {
      client.close();
      await app.close(0);
    }
  });

  describe(bootstrapHybridApp.name, () => {
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

    it('logs both addresses, serves both, and on SIGTERM stops both and exits 0', async () => {
      const port = await findFreePort();
      const httpPort = await findFreePort();
      const handle = await bootstrapHybridApp(HybridAppModule, {
        ...registryService,
        name: 'admin',
        defaultPort: port,
        env: { GRPC_INSECURE: 'true', GRPC_HOST: '127.0.0.1' },
        logger: false,
        http: { host: '127.0.0.1', port: httpPort, errorFilter: new KindFilter() },
      });
      expect(logged).toHaveBeenCalledWith(
        `gRPC listening on 127.0.0.1:${port} (insecure); HTTP on http://127.0.0.1:${httpPort}`,
      );
      expect((await fetch(`http://${handle.httpAddress}/http/slow`)).status).toBe(200);

      process.emit('SIGTERM', 'SIGTERM');
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => exit.mock.calls.length > 0 && (clearInterval(poll), resolve()), 10);
      });
      expect(exit).toHaveBeenCalledWith(0);
      await expect(fetch(`http://${handle.httpAddress}/http/slow`)).rejects.toThrow();
      await expect(healthCheck(handle.address, '')).rejects.toMatchObject({ code: GrpcCode.UNAVAILABLE });
    });

    it('exits 1 with the reason when the HTTP port is taken, and leaves the gRPC port free', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const httpPort = (blocker.address() as { port: number }).port;
      const port = await findFreePort();
      try {
        await bootstrapHybridApp(HybridAppModule, {
          ...registryService,
          name: 'admin',
          defaultPort: port,
          env: { GRPC_INSECURE: 'true', GRPC_HOST: '127.0.0.1' },
          logger: false,
          http: { host: '127.0.0.1', port: httpPort, errorFilter: new KindFilter() },
        });
        expect(exit).toHaveBeenCalledWith(1);
        expect(error).toHaveBeenCalledWith(expect.stringMatching(/^failed to start: .*EADDRINUSE/), expect.any(String));
        await expect(healthCheck(`127.0.0.1:${port}`, '')).rejects.toMatchObject({ code: GrpcCode.UNAVAILABLE });
      } finally {
        error.mockRestore();
        await new Promise((resolve) => blocker.close(resolve));
      }
    });
  });
});
