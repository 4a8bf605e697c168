import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { envEnum, type Env } from '@app/config';
import { currentRequest } from './request-context';

export type LogFormat = 'json' | 'text';

/** Most severe first: a threshold admits its own level and those before it. */
const SEVERITY: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
/** The name a line carries: Nest's `log` is the usual `info`. */
const LEVEL_NAME: Readonly<Record<LogLevel, string>> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'verbose',
};
const LOG_LEVEL_VALUES = ['fatal', 'error', 'warn', 'info', 'log', 'debug', 'verbose'] as const;

export interface ServiceLoggerOptions {
  /** `registry`, `admin`, `carrier-cmcc`: every line says which service wrote it. */
  service: string;
  /** `json` (one object per line, the default) or `text` for a terminal. */
  format?: LogFormat;
  /** The least severe level written (default `log`, i.e. info). */
  level?: LogLevel;
  /** Where lines go (default: stdout). */
  write?: (line: string) => void;
  /** The clock of the `time` field (tests). */
  now?: () => Date;
}

/** Fields of a structured line: `logger.warn({ msg: 'call failed', code: 'NOT_FOUND' })`. */
export interface LogFields {
  msg: string;
  [field: string]: unknown;
}

/**
 * Nest's LoggerService writing one line per call: a JSON object
 * (`time`, `level`, `service`, `context`, `msg`, `request_id` inside a request,
 * `stack` for errors, and the fields of a structured message), or the same as
 * readable text. The request id comes from the request context
 * (AsyncLocalStorage), so every line written while serving a call carries it.
 */
export class ServiceLogger implements LoggerService {
  private readonly service: string;
  private readonly format: LogFormat;
  private readonly write: (line: string) => void;
  private readonly now: () => Date;
  private threshold: number;
  private enabled: Set<LogLevel> | undefined;

  constructor(options: ServiceLoggerOptions) {
    this.service = options.service;
    this.format = options.format ?? 'json';
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.now = options.now ?? (() => new Date());
    this.threshold = SEVERITY.indexOf(options.level ?? 'log');
  }

  /** Whether a line of `level` would be written: check before building an expensive one. */
  isLevelEnabled(level: LogLevel): boolean {
    return this.enabled ? this.enabled.has(level) : SEVERITY.indexOf(level) <= this.threshold;
  }

  /** Nest may narrow the levels (e.g. `logger: ['error', 'warn']`). */
  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.line('log', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.line('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.line('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.line('verbose', message, params);
  }

  /** Nest calls `error(message, stack?, context?)`; an Error as message gives its own stack. */
  error(message: unknown, ...params: unknown[]): void {
    this.line('error', message, params, true);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.line('fatal', message, params, true);
  }

  private line(level: LogLevel, message: unknown, params: unknown[], mayHaveStack = false): void {
    if (!this.isLevelEnabled(level)) return;
    const rest = params.slice();
    // Nest's Logger appends its context as the last argument.
    let context: string | undefined;
    if (typeof rest.at(-1) === 'string' && !(mayHaveStack && rest.length === 1 && looksLikeStack(rest[0] as string)))
      context = rest.pop() as string;
    let stack: string | undefined;
    // Nest's Logger passes error(message, stack, context), the stack undefined when not given.
    if (mayHaveStack && (typeof rest[0] === 'string' || rest[0] === undefined) && rest.length > 0)
      stack = rest.shift() as string | undefined;
    const { msg, fields } = this.messageOf(message);
    if (message instanceof Error && stack === undefined && (level === 'error' || level === 'fatal'))
      stack = message.stack;
    const request = currentRequest();
    const record: Record<string, unknown> = {
      time: this.now().toISOString(),
      level: LEVEL_NAME[level],
      service: this.service,
      ...(context === undefined ? {} : { context }),
      msg,
      ...(request ? { request_id: request.requestId } : {}),
      ...fields,
      ...(rest.length > 0 ? { extra: rest.map(printable) } : {}),
      ...(stack === undefined ? {} : { stack }),
    };
    this.write(this.format === 'json' ? jsonLine(record) : textLine(record));
  }

  private messageOf(message: unknown): { msg: unknown; fields: Record<string, unknown> } {
    if (message instanceof Error) return { msg: message.message, fields: {} };
    if (isLogFields(message)) {
      const { msg, ...fields } = message;
      return { msg, fields };
    }
    return { msg: typeof message === 'string' ? message : printable(message), fields: {} };
  }
}

function isLogFields(value: unknown): value is LogFields {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as LogFields).msg === 'string'
  );
}

function looksLikeStack(text: string): boolean {
  return /\n\s+at /.test(text) || /^\w*Error: /.test(text);
}

function printable(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function jsonLine(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    // A circular message must not cost the line.
    return JSON.stringify({ ...record, msg: String(record.msg), details: undefined });
  }
}

const TEXT_SKIPPED = new Set(['time', 'level', 'service', 'context', 'msg', 'stack']);

/** `2024-02-06T11:05:00.000Z WARN  [Context] message key=value request_id=…`, the stack on the lines after. */
function textLine(record: Record<string, unknown>): string {
  const fields = Object.entries(record)
    .filter(([key, value]) => !TEXT_SKIPPED.has(key) && value !== undefined)
    .map(
      ([key, value]) => `${key}=${typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value)}`,
    );
  const msg = typeof record.msg === 'string' ? record.msg : JSON.stringify(record.msg);
  const head = [
    String(record.time),
    String(record.level).toUpperCase().padEnd(5),
    ...(record.context === undefined ? [] : [`[${String(record.context)}]`]),
    msg,
    ...fields,
  ].join(' ');
  return record.stack === undefined ? head : `${head}\n${String(record.stack)}`;
}

export interface LogConfig {
  format: LogFormat;
  level: LogLevel;
}

/** LOG_FORMAT (`json`, the default, or `text`) and LOG_LEVEL (`info` by default; `fatal` … `verbose`), validated. */
export function logConfig(env: Env): LogConfig {
  const format = envEnum(env, 'LOG_FORMAT', ['json', 'text'], 'json');
  const level = envEnum(env, 'LOG_LEVEL', LOG_LEVEL_VALUES, 'info');
  return { format, level: level === 'info' ? 'log' : level };
}

/**
 * The service's logger from LOG_FORMAT and LOG_LEVEL, made Nest's for the whole
 * process (static `new Logger(...)` included, before any app exists). A bad
 * variable is reported in JSON and ends the process, as any bad configuration.
 */
export function installServiceLogger(service: string, env: Env): ServiceLogger {
  let config: LogConfig;
  try {
    config = logConfig(env);
  } catch (error) {
    new ServiceLogger({ service }).error((error as Error).message, 'config');
    process.exit(1);
  }
  const logger = new ServiceLogger({ service, ...config });
  Logger.overrideLogger(logger);
  return logger;
}

/**
 * Whether Nest's logger writes `level`: for a ServiceLogger its own threshold
 * (Nest's Logger.isLevelEnabled admits every level of a logger it did not make).
 * Check it before building a line on a hot path.
 */
export function isLogLevelEnabled(level: LogLevel): boolean {
  const instance = (Logger as unknown as { staticInstanceRef?: LoggerService }).staticInstanceRef;
  if (instance instanceof ServiceLogger) return instance.isLevelEnabled(level);
  return Logger.isLevelEnabled(level);
}
