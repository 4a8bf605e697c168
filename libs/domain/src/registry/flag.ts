import { createHash } from 'node:crypto';
import { CARRIER_IDS } from '../carriers';
import { parseCellId, type CellId } from '../cell';
import { ValidationError, ValidationErrorCode } from '../errors';
import { normaliseMsisdn, type Msisdn } from '../msisdn';

export const MAX_FLAGS_PER_BATCH = 1000;

export interface MeasureInput {
  name: string;
  value: number;
  threshold: number;
}

export interface CellSightingInput {
  cell: string;
  at?: Date;
  activity: string;
}

export interface EvidenceInput {
  summary: string;
  windowStart?: Date;
  windowEnd?: Date;
  measures: MeasureInput[];
  cells: CellSightingInput[];
}

export interface FlagInput {
  idempotencyKey: string;
  msisdn: string;
  source: string;
  reasonCodes: string[];
  score: number;
  evidence?: EvidenceInput;
  observedAt?: Date;
}

export interface Evidence {
  summary: string;
  windowStart: Date | null;
  windowEnd: Date | null;
  measures: MeasureInput[];
  cells: { cell: CellId; at: Date | null; activity: CellActivity }[];
}

export type CellActivity = 'call' | 'sms' | 'location';
const CELL_ACTIVITIES: readonly string[] = ['call', 'sms', 'location'];

/** A validated flag, numbers in E.164, with the hash that makes retries safe. */
export interface Flag {
  idempotencyKey: string;
  msisdn: Msisdn;
  source: string;
  reasonCodes: string[];
  score: number;
  evidence: Evidence;
  observedAt: Date;
  contentHash: string;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
const REASON_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const SOURCE = new RegExp(`^(carrier:(${CARRIER_IDS.join('|')})|admin(:[a-z][a-z0-9_-]{0,31})?)$`);
const MAX_REASON_CODES = 16;
const MAX_SUMMARY = 2000;
const MAX_MEASURES = 64;
const MAX_CELLS = 256;
/** Clock skew tolerated between a carrier's event time and ours. */
const MAX_FUTURE_MS = 5 * 60_000;

function invalid(field: string, reason: string, code = ValidationErrorCode.Malformed): ValidationError {
  return new ValidationError(code, field, reason);
}

export function validateIdempotencyKey(key: string | undefined, field: string): string {
  if (!key) throw invalid(field, 'an idempotency key is required', ValidationErrorCode.Required);
  if (!IDEMPOTENCY_KEY.test(key)) throw invalid(field, 'must be 1 to 128 printable ASCII characters without spaces');
  return key;
}

function validateEvidence(input: EvidenceInput | undefined, field: string, now: Date): Evidence {
  if (!input) throw invalid(field, 'evidence is required', ValidationErrorCode.Required);
  const summary = (input.summary ?? '').trim();
  if (!summary)
    throw invalid(`${field}.summary`, 'a summary of the evidence is required', ValidationErrorCode.Required);
  if (summary.length > MAX_SUMMARY)
    throw invalid(`${field}.summary`, `at most ${MAX_SUMMARY} characters`, ValidationErrorCode.OutOfRange);
  const windowStart = input.windowStart ?? null;
  const windowEnd = input.windowEnd ?? null;
  if (windowStart && windowEnd && windowStart > windowEnd)
    throw invalid(`${field}.window_end`, 'must not be before window_start', ValidationErrorCode.OutOfRange);
  if (input.measures.length > MAX_MEASURES)
    throw invalid(`${field}.measures`, `at most ${MAX_MEASURES} measures`, ValidationErrorCode.OutOfRange);
  input.measures.forEach((m, i) => {
    if (!m.name) throw invalid(`${field}.measures[${i}].name`, 'a name is required', ValidationErrorCode.Required);
    if (!Number.isFinite(m.value)) throw invalid(`${field}.measures[${i}].value`, 'must be a finite number');
    if (!Number.isFinite(m.threshold)) throw invalid(`${field}.measures[${i}].threshold`, 'must be a finite number');
  });
  if (input.cells.length > MAX_CELLS)
    throw invalid(`${field}.cells`, `at most ${MAX_CELLS} cells`, ValidationErrorCode.OutOfRange);
  const cells = input.cells.map((c, i) => {
    const cell = parseCellId(c.cell, `${field}.cells[${i}].cell`);
    if (!CELL_ACTIVITIES.includes(c.activity))
      throw invalid(`${field}.cells[${i}].activity`, `must be one of ${CELL_ACTIVITIES.join(', ')}`);
    if (c.at && c.at.getTime() > now.getTime() + MAX_FUTURE_MS)
      throw invalid(`${field}.cells[${i}].at`, 'is in the future', ValidationErrorCode.OutOfRange);
    return { cell, at: c.at ?? null, activity: c.activity as CellActivity };
  });
  return {
    summary,
    windowStart,
    windowEnd,
    measures: input.measures.map(({ name, value, threshold }) => ({ name, value, threshold })),
    cells,
  };
}

/** Validates one flag; errors name the field under `prefix` (e.g. `flags[3].`). */
export function validateFlag(input: FlagInput, prefix: string, now: Date): Flag {
  const idempotencyKey = validateIdempotencyKey(input.idempotencyKey, `${prefix}idempotency_key`);
  const msisdn = normaliseMsisdn(input.msisdn, `${prefix}msisdn`);
  if (!input.source) throw invalid(`${prefix}source`, 'a source is required', ValidationErrorCode.Required);
  if (!SOURCE.test(input.source))
    throw invalid(
      `${prefix}source`,
      `"${input.source.slice(0, 40)}" is not a source: use carrier:<${CARRIER_IDS.join('|')}> or admin`,
    );
  if (input.reasonCodes.length === 0)
    throw invalid(`${prefix}reason_codes`, 'at least one reason code is required', ValidationErrorCode.Required);
  if (input.reasonCodes.length > MAX_REASON_CODES)
    throw invalid(`${prefix}reason_codes`, `at most ${MAX_REASON_CODES} reason codes`, ValidationErrorCode.OutOfRange);
  input.reasonCodes.forEach((code, i) => {
    if (!REASON_CODE.test(code))
      throw invalid(`${prefix}reason_codes[${i}]`, `"${code.slice(0, 40)}" is not a reason code (UPPER_SNAKE_CASE)`);
  });
  if (!Number.isFinite(input.score) || input.score < 0 || input.score > 1)
    throw invalid(`${prefix}score`, 'must be between 0 and 1', ValidationErrorCode.OutOfRange);
  if (!input.observedAt)
    throw invalid(
      `${prefix}observed_at`,
      'the time the evidence was observed is required',
      ValidationErrorCode.Required,
    );
  if (input.observedAt.getTime() > now.getTime() + MAX_FUTURE_MS)
    throw invalid(`${prefix}observed_at`, 'is in the future', ValidationErrorCode.OutOfRange);
  const evidence = validateEvidence(input.evidence, `${prefix}evidence`, now);
  const flag = {
    idempotencyKey,
    msisdn,
    source: input.source,
    reasonCodes: [...input.reasonCodes],
    score: input.score,
    evidence,
    observedAt: input.observedAt,
  };
  return { ...flag, contentHash: contentHash(flag) };
}

/** A stable hash of everything a flag says, so a retry can be told from a reuse of its key. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** JSON with object keys sorted and dates as ISO strings: the same content gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}

/** Validates a whole batch: one bad flag refuses it, naming its index and field. */
export function validateFlagBatch(inputs: FlagInput[], now: Date): Flag[] {
  if (inputs.length === 0) throw invalid('flags', 'at least one flag is required', ValidationErrorCode.Required);
  if (inputs.length > MAX_FLAGS_PER_BATCH)
    throw invalid(
      'flags',
      `at most ${MAX_FLAGS_PER_BATCH} flags per call, got ${inputs.length}`,
      ValidationErrorCode.OutOfRange,
    );
  const flags = inputs.map((input, i) => validateFlag(input, `flags[${i}].`, now));
  const seen = new Map<string, Flag>();
  flags.forEach((flag, i) => {
    const key = `${flag.source}\u0000${flag.idempotencyKey}`;
    const earlier = seen.get(key);
    if (earlier && earlier.contentHash !== flag.contentHash) {
      throw invalid(`flags[${i}].idempotency_key`, 'repeats an earlier key of this batch with different content');
    }
    seen.set(key, flag);
  });
  return flags;
}
