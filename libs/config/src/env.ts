/**
 * Reading environment variables with validation at boot: a bad value stops
 * start-up with a message naming the variable, never a silent default.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`configuration: ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** `check` says what is wrong with a value (undefined: nothing), for the error that names the variable. */
export function envString(
  env: Env,
  name: string,
  fallback?: string,
  check?: (value: string) => string | undefined,
): string {
  let value = env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) throw new ConfigError(name, 'is required');
    value = fallback;
  }
  const problem = check?.(value);
  if (problem !== undefined) throw new ConfigError(name, problem);
  return value;
}

export function envOptional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function envInt(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = envOptional(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `"${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `${value} is outside ${min}..${max}`);
  return value;
}

export function envBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = envOptional(env, name);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `"${raw}" is not a boolean (true/false)`);
}

export function envEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback?: T): T {
  const raw = envOptional(env, name);
  if (raw === undefined) {
    if (fallback === undefined) throw new ConfigError(name, `is required (one of ${allowed.join(', ')})`);
    return fallback;
  }
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(', ')}`);
  return raw as T;
}
