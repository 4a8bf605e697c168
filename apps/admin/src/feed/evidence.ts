import { fromTimestamp, toOptionalTimestamp, type common } from '@app/contracts';
import { parseCellId, ValidationError, ValidationErrorCode } from '@app/domain';

/** Evidence as stored in jsonb and merged into directives: times as ISO strings. */
export interface StoredEvidence {
  summary: string;
  windowStart: string | null;
  windowEnd: string | null;
  measures: { name: string; value: number; threshold: number }[];
  cells: CellSighting[];
}

export interface CellSighting {
  cell: string;
  at: string | null;
  activity: string;
}

const ACTIVITIES: readonly string[] = ['call', 'sms', 'location'];
const MAX_SUMMARY = 2000;
const MAX_MEASURES = 64;
export const MAX_CELLS = 256;
/** Clock skew tolerated between a carrier's event time and ours. */
export const MAX_FUTURE_MS = 5 * 60_000;

export const NO_EVIDENCE: StoredEvidence = { summary: '', windowStart: null, windowEnd: null, measures: [], cells: [] };

function invalid(field: string, reason: string, code = ValidationErrorCode.Malformed): ValidationError {
  return new ValidationError(code, field, reason);
}

/**
 * A carrier's evidence, validated: cells are MCC-MNC-LAC-CI with a known
 * activity, measures finite, times in range. The summary may be empty: the
 * measures and cells are the evidence, the summary only their wording.
 */
export function evidenceFromWire(input: common.Evidence | undefined, field: string, now: Date): StoredEvidence {
  if (!input) throw invalid(field, 'evidence is required', ValidationErrorCode.Required);
  const summary = (input.summary ?? '').trim();
  if (summary.length > MAX_SUMMARY)
    throw invalid(`${field}.summary`, `at most ${MAX_SUMMARY} characters`, ValidationErrorCode.OutOfRange);
  const windowStart = fromTimestamp(input.windowStart, `${field}.window_start`) ?? null;
  const windowEnd = fromTimestamp(input.windowEnd, `${field}.window_end`) ?? null;
  if (windowStart && windowEnd && windowStart > windowEnd)
    throw invalid(`${field}.window_end`, 'must not be before window_start', ValidationErrorCode.OutOfRange);
  const measures = input.measures ?? [];
  if (measures.length > MAX_MEASURES)
    throw invalid(`${field}.measures`, `at most ${MAX_MEASURES} measures`, ValidationErrorCode.OutOfRange);
  measures.forEach((m, i) => {
    if (!m.name) throw invalid(`${field}.measures[${i}].name`, 'a name is required', ValidationErrorCode.Required);
    if (!Number.isFinite(m.value)) throw invalid(`${field}.measures[${i}].value`, 'must be a finite number');
    if (!Number.isFinite(m.threshold)) throw invalid(`${field}.measures[${i}].threshold`, 'must be a finite number');
  });
  const cells = input.cells ?? [];
  if (cells.length > MAX_CELLS)
    throw invalid(`${field}.cells`, `at most ${MAX_CELLS} cells`, ValidationErrorCode.OutOfRange);
  return {
    summary,
    windowStart: windowStart?.toISOString() ?? null,
    windowEnd: windowEnd?.toISOString() ?? null,
    measures: measures.map(({ name, value, threshold }) => ({ name, value, threshold })),
    cells: cells.map((c, i) => {
      const cell = parseCellId(c.cell, `${field}.cells[${i}].cell`);
      if (!ACTIVITIES.includes(c.activity))
        throw invalid(`${field}.cells[${i}].activity`, `must be one of ${ACTIVITIES.join(', ')}`);
      const at = fromTimestamp(c.at, `${field}.cells[${i}].at`);
      if (at && at.getTime() > now.getTime() + MAX_FUTURE_MS)
        throw invalid(`${field}.cells[${i}].at`, 'is in the future', ValidationErrorCode.OutOfRange);
      return { cell, at: at?.toISOString() ?? null, activity: c.activity };
    }),
  };
}

export function evidenceToWire(evidence: StoredEvidence): common.Evidence {
  const time = (iso: string | null) => toOptionalTimestamp(iso === null ? null : new Date(iso));
  return {
    summary: evidence.summary,
    windowStart: time(evidence.windowStart),
    windowEnd: time(evidence.windowEnd),
    measures: evidence.measures,
    cells: evidence.cells.map((c) => ({ cell: c.cell, activity: c.activity, at: time(c.at) })),
  };
}
