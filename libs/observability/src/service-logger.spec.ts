import { setTimeout as sleep } from 'node:timers/promises';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { ConfigError } from '@app/config';
import { runInRequest } from './request-context';
import {
  installServiceLogger,
  isLogLevelEnabled,
  logConfig,
  ServiceLogger,
  type ServiceLoggerOptions,
} from './service-logger';

const NOW = new Date('2024-02-06T11:05:00.123Z');

function capture(options: Partial<ServiceLoggerOptions> = {}): {
  logger: ServiceLogger;
  lines: string[];
  json: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const logger = new ServiceLogger({
    service: 'carrier-ctcc',
    now: () => NOW,
    write: (line) => lines.push(line),
    ...options,
  });
  return { logger, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe(ServiceLogger.name, () => {
  it('writes one JSON object per line: time, level, service, context and message', () => {
    const { logger, lines, json } = capture();
    logger.log('analysis ready', 'AnalysisService');
    logger.warn('directive stream unavailable', 'DirectiveStream');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(json()).toEqual([
      {
        time: '2024-02-06T11:05:00.123Z',
        level: 'info',
        service: 'carrier-ctcc',
        context: 'AnalysisService',
        msg: 'analysis ready',
      },
      {
        time: '2024-02-06T11:05:00.123Z',
        level: 'warn',
        service: 'carrier-ctcc',
        context: 'DirectiveStream',
        msg: 'directive stream unavailable',
      },
    ]);
  });

  it('keeps an error’s stack, given as Nest gives it or as the Error itself', () => {
    const { logger, json } = capture();
    const error = new Error('connection refused');
    logger.error('recording 3 decisions failed', error.stack, 'DecisionRecorder');
    logger.error(error);
    logger.error('configuration: CARRIER_ID: is required', 'config');
    const [withStack, asError, plain] = json();
    expect(withStack).toMatchObject({
      level: 'error',
      context: 'DecisionRecorder',
      msg: 'recording 3 decisions failed',
      stack: expect.stringContaining('Error: connection refused\n'),
    });
    expect(asError).toMatchObject({ msg: 'connection refused', stack: expect.stringContaining('at ') });
    expect(plain).toEqual({
      time: NOW.toISOString(),
      level: 'error',
      service: 'carrier-ctcc',
      context: 'config',
      msg: 'configuration: CARRIER_ID: is required',
    });
  });

  it('spreads the fields of a structured message', () => {
    const { logger, json } = capture();
    logger.warn(
      {
        msg: 'call failed',
        method: 'fraud.carrier.v1.CarrierService/CheckCall',
        code: 'INVALID_ARGUMENT',
        duration_ms: 0.42,
      },
      'grpc',
    );
    expect(json()[0]).toEqual({
      time: NOW.toISOString(),
      level: 'warn',
      service: 'carrier-ctcc',
      context: 'grpc',
      msg: 'call failed',
      method: 'fraud.carrier.v1.CarrierService/CheckCall',
      code: 'INVALID_ARGUMENT',
      duration_ms: 0.42,
    });
  });

  it('tags each line written while serving a request with its id, through awaits, timers and concurrency', async () => {
    const { logger, json } = capture();
    const serve = (requestId: string, delayMs: number) =>
      runInRequest({ requestId }, async () => {
        logger.log('started', 'Handler');
        await sleep(delayMs);
        await Promise.resolve().then(() => logger.log('queried', 'Repository'));
        setImmediate(() => logger.log('after the answer', 'Relay'));
        await sleep(1);
      });
    logger.log('outside', 'Main');
    await Promise.all([serve('req-a', 20), serve('req-b', 5)]);
    const byRequest = (id: string) =>
      json()
        .filter((l) => l.request_id === id)
        .map((l) => l.msg);
    expect(byRequest('req-a')).toEqual(['started', 'queried', 'after the answer']);
    expect(byRequest('req-b')).toEqual(['started', 'queried', 'after the answer']);
    expect(json()[0]).not.toHaveProperty('request_id');
  });

  it('writes readable text when asked, fields and request id included, the stack below', () => {
    const { logger, lines } = capture({ format: 'text' });
    runInRequest({ requestId: 'req-7' }, () =>
      logger.warn({ msg: 'call failed', code: 'NOT_FOUND', details: 'no such number' }, 'grpc'),
    );
    logger.error('boom', 'Error: boom\n    at somewhere (file.ts:1:1)', 'Main');
    expect(lines[0]).toBe(
      '2024-02-06T11:05:00.123Z WARN  [grpc] call failed request_id=req-7 code=NOT_FOUND details="no such number"',
    );
    expect(lines[1]).toBe('2024-02-06T11:05:00.123Z ERROR [Main] boom\nError: boom\n    at somewhere (file.ts:1:1)');
  });

  it('writes nothing below its level, and says so to whoever would build an expensive line', () => {
    const { logger, lines } = capture({ level: 'log' });
    logger.debug('call ok', 'grpc');
    logger.verbose('detail', 'grpc');
    expect(lines).toEqual([]);
    expect(logger.isLevelEnabled('debug')).toBe(false);
    expect(logger.isLevelEnabled('warn')).toBe(true);
    const debug = capture({ level: 'debug' });
    debug.logger.debug('call ok', 'grpc');
    expect(debug.json()[0]).toMatchObject({ level: 'debug', msg: 'call ok' });
    logger.setLogLevels(['error']);
    expect(logger.isLevelEnabled('warn')).toBe(false);
  });
});

describe(logConfig.name, () => {
  it('defaults to JSON at info, and takes text and the levels by name', () => {
    expect(logConfig({})).toEqual({ format: 'json', level: 'log' });
    expect(logConfig({ LOG_FORMAT: 'text', LOG_LEVEL: 'debug' })).toEqual({ format: 'text', level: 'debug' });
    expect(logConfig({ LOG_LEVEL: 'warn' })).toEqual({ format: 'json', level: 'warn' });
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => logConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => logConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});

describe(installServiceLogger.name, () => {
  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  it('makes Nest’s static loggers write through it, and answers whether a level is on', () => {
    const writes: string[] = [];
    const spy = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true));
    try {
      installServiceLogger('registry', { LOG_LEVEL: 'info' });
      new Logger('ChangeFeed').log('status index loaded');
      expect(isLogLevelEnabled('debug')).toBe(false);
      expect(isLogLevelEnabled('log')).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(writes[0]!)).toMatchObject({
      level: 'info',
      service: 'registry',
      context: 'ChangeFeed',
      msg: 'status index loaded',
    });
  });
});
