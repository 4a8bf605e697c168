import { CARRIER_IDS } from '@app/domain';
import { SCHEMAS, type Schema } from './openapi.schemas';

/** One operation of the JSON API, as the docs page and the completeness test read it. */
export interface Operation {
  summary: string;
  description?: string;
  /** Who may call it; absent: public (no token). */
  'x-roles'?: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description: string;
  schema: Schema;
}

export type Method = 'get' | 'post' | 'delete';

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, Schema> };
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema } });
const ok = (name: string, description = 'OK') => ({ description, content: json(ref(name)) });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const query = (
  name: string,
  description: string,
  schema: Schema = { type: 'string' },
  required = false,
): Parameter => ({ name, in: 'query', required, description, schema });
const path = (name: string, description: string): Parameter => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

const ADMIN = 'admin:<province>';
const ANALYST = 'analyst';
const POLICE = 'police';
const CARRIER = 'carrier:<ID>';

/** A route that needs a token: its roles, and the refusals every such route may answer. */
function guarded(roles: string[], operation: Omit<Operation, 'x-roles' | 'security'>): Operation {
  return {
    ...operation,
    description: [operation.description, `Roles: ${roles.join(', ')}.`].filter(Boolean).join(' '),
    'x-roles': roles,
    security: [{ bearer: [] }],
    responses: {
      ...operation.responses,
      '401': error('No token, or an invalid or expired one.'),
      '403': error('The token’s role may not call this.'),
    },
  };
}

const range = [
  query('from', 'First day, YYYY-MM-DD (China Standard Time). Default: 29 days before `to`.', {
    type: 'string',
    format: 'date',
  }),
  query('to', 'Last day, inclusive. Default: today. At most 366 days per request.', { type: 'string', format: 'date' }),
  query('carrier', `One carrier (${CARRIER_IDS.join(', ')}); default all. A carrier token reads its own only.`),
];
const badRange = error('A malformed day, `to` before `from`, more than 366 days, or an unknown carrier.');
const csv = (description: string) => ({ description, content: { 'text/csv': { schema: { type: 'string' } } } });

/** An oversight read (admin, analysts, carriers) over a day range: `answer` on 200, 400 for a bad range. */
function oversightRead(
  summary: string,
  description: string | undefined,
  answer: Operation['responses'][string],
): { get: Operation } {
  return {
    get: guarded([ADMIN, ANALYST, CARRIER], {
      summary,
      ...(description === undefined ? {} : { description }),
      parameters: range,
      responses: { '200': answer, '400': badRange },
    }),
  };
}

const page = [
  query('pageSize', 'Items per page (capped by the server).', { type: 'integer' }),
  query('pageToken', 'From the previous page’s nextPageToken.'),
];

export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.0.3',
  info: {
    title: 'fraud-numbers: provincial administration (dashboard API)',
    version: '1',
    description:
      'The JSON API behind the analysts’ dashboard. ' +
      'Send `authorization: Bearer <token>` (a role token, e.g. from `npm run token`). ' +
      'Bodies follow proto3’s JSON mapping of fraud.admin.v1 (enums by name, times as RFC 3339 strings). ' +
      'Errors are `{error, message, field}` with 400, 401, 403, 404, 409, 412, 429 or 503; ' +
      'anything unexpected is 500 "internal error".',
  },
  paths: {
    '/api/me': {
      get: guarded([ADMIN, ANALYST, POLICE, CARRIER, 'auditor'], {
        summary: 'Who the token says the caller is',
        responses: { '200': ok('Me') },
      }),
    },
    '/api/reasons': {
      get: guarded([ADMIN, ANALYST, POLICE, CARRIER, 'auditor'], {
        summary: 'The reason codes in plain Chinese and English',
        responses: { '200': ok('Reasons') },
      }),
    },
    '/api/oversight': oversightRead(
      'Oversight figures',
      'Per day, carrier, policy and reason: warnings, restrictions, suspensions, restorations; ' +
        'each carrier’s mistaken-kill rate and time to restore; the rules its policy demoted (error budget); ' +
        'top numbers by corroborated reports; ' +
        'numbers flagged by more than one carrier.',
      ok('Oversight'),
    ),
    '/api/oversight/series': oversightRead(
      'Daily series per carrier, for the charts',
      undefined,
      ok('OversightSeries'),
    ),
    '/api/oversight/numbers': {
      get: guarded([ADMIN, ANALYST, CARRIER], {
        summary: 'The numbers behind one point of a chart (audited)',
        description:
          'The decisions of one day that one series of /api/oversight/series counts ' +
          '(flags, warnings, restrictions, suspensions, restorations; mistakenKillRate: the suspensions), ' +
          'oldest first. A carrier token reads its own carrier’s only.',
        parameters: [
          query('day', 'The day, YYYY-MM-DD (China Standard Time).', { type: 'string', format: 'date' }, true),
          query('series', 'The chart’s series, e.g. suspensions.', { type: 'string' }, true),
          range[2]!,
        ],
        responses: {
          '200': ok('DecidedNumbers'),
          '400': error('No day, a malformed one, an unknown series or an unknown carrier.'),
        },
      }),
    },
    '/api/oversight/workload': {
      get: guarded([ADMIN, ANALYST, CARRIER], {
        summary: 'What waits on someone now: open cases, SLA breaches, open directives',
        description: 'Not a range: the state now. A carrier token counts its own subscribers’ cases and directives.',
        parameters: [range[2]!],
        responses: { '200': ok('Workload'), '400': error('An unknown carrier.') },
      }),
    },
    '/api/oversight.csv': oversightRead(
      'The per-reason table as CSV',
      'Columns: day, carrier, policy, reason, warnings, restrictions, suspensions, restorations.',
      csv('One line per row of `rows`, after a header line.'),
    ),
    '/api/quality.csv': oversightRead(
      'Mistaken-kill rates and time to restore as CSV',
      'Columns: carrier, reason, suspensions, mistaken, mistaken_kill_rate, restore_hours_p50, restore_hours_p90; ' +
        'reason ALL is the carrier’s total.',
      csv('Each carrier’s totals, then one line per reason.'),
    ),
    '/api/demoted-rules.csv': oversightRead(
      'Demoted rules (error budget per rule) as CSV',
      'Columns: carrier, policy, reason, demoted_at, mistakes, actions, window_days, reenabled_at, reenabled_by, ' +
        'why; the re-enable columns are empty while the demotion stands.',
      csv('One line per demotion of `demotedRules`, after a header line.'),
    ),
    '/api/reports/monthly': {
      get: guarded([ADMIN, ANALYST], {
        summary: 'The monthly public report (HTML, PDF or its figures as JSON)',
        description:
          'One calendar month in China Standard Time, every carrier: actions per reason, mistaken kills, time to ' +
          'restore, upheld appeals, callee warnings and error-budget demotions, with no phone number in it ' +
          '(docs/monthly-report.md). The current month is provisional, and marked so.',
        parameters: [
          query(
            'month',
            'The month, YYYY-MM (China Standard Time).',
            { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
            true,
          ),
          query('format', 'html (default), pdf, or json (the report’s figures).', {
            type: 'string',
            enum: ['html', 'pdf', 'json'],
          }),
        ],
        responses: {
          '200': {
            description: 'The report, as a download (`report-YYYY-MM.html` or `.pdf`), or its figures.',
            content: {
              'text/html': { schema: { type: 'string' } },
              'application/pdf': { schema: { type: 'string', format: 'binary' } },
              'application/json': { schema: { type: 'object' } },
            },
          },
          '400': error('No month or a malformed one, a month not begun yet, or an unknown format.'),
          '503': error('No chromium to print the PDF with (REPORT_CHROMIUM); the HTML still works.'),
        },
      }),
    },
    '/api/numbers/{msisdn}': {
      get: guarded([ADMIN, ANALYST, POLICE], {
        summary: 'Look a number up across carriers (audited)',
        description:
          'Owner, every carrier’s decisions (newest first), directives and the case. ' +
          'Every call, refused or not, is in the audit log with the number and the purpose.',
        parameters: [
          path('msisdn', 'E.164 or 11 national digits.'),
          query('purpose', 'Why the number is looked up (audited).', { type: 'string' }, true),
        ],
        responses: { '200': ok('NumberLookup'), '400': error('No purpose, or not a phone number.') },
      }),
    },
    '/api/directives': {
      get: guarded([ADMIN, ANALYST], {
        summary: 'Directives with their delivery and outcome, newest first',
        parameters: [
          query('carrier', 'The carrier they were sent to.'),
          query('msisdn', 'The number concerned.'),
          query('status', 'PENDING, DELIVERED, APPLIED, REJECTED or EXPIRED.'),
          ...page,
        ],
        responses: {
          '200': ok('DirectivePage'),
          '400': error('An unknown carrier or status, a malformed number or page token.'),
        },
      }),
      post: guarded([ADMIN], {
        summary: 'Issue a directive to the number’s owning carrier (audited)',
        requestBody: { required: true, content: json(ref('IssueDirective')) },
        responses: {
          '201': ok('IssuedDirective', 'Issued.'),
          '200': ok('IssuedDirective', 'The key was seen before: the stored directive.'),
          '400': error('A missing or malformed field.'),
          '404': error('No carrier owns the number.'),
          '409': error('The idempotency key was used for a different directive.'),
        },
      }),
    },
    '/api/cells': {
      get: guarded([ADMIN, ANALYST, CARRIER, POLICE], {
        summary: 'The high-risk cell list and its version',
        responses: { '200': ok('CellList') },
      }),
      post: guarded([ADMIN, ANALYST], {
        summary: 'Add a high-risk cell (audited; a new list version reaches every carrier)',
        requestBody: { required: true, content: json(ref('AddCell')) },
        responses: {
          '201': ok('CellListChange', 'Added (or replayed).'),
          '400': error('A missing or malformed field.'),
          '409': error('The idempotency key was used for a different change.'),
        },
      }),
    },
    '/api/cells/{cell}': {
      delete: guarded([ADMIN, ANALYST], {
        summary: 'Remove a high-risk cell (audited)',
        parameters: [
          path('cell', 'MCC-MNC-LAC-CI.'),
          query('reason', 'Why it is removed.', { type: 'string' }, true),
          query('idempotencyKey', 'Optional: the same key again is a replay.'),
        ],
        responses: {
          '200': ok('CellListChange'),
          '400': error('No reason, or a malformed cell.'),
          '404': error('The cell is not on the list.'),
        },
      }),
    },
    '/api/cases': {
      get: guarded([ADMIN, ANALYST, POLICE], {
        summary: 'Cases, newest first, with their events and service-level clock',
        parameters: [query('status', 'OPEN, RESOLVED or ESCALATED.'), ...page],
        responses: { '200': ok('CasePage'), '400': error('An unknown status or a malformed page token.') },
      }),
    },
    '/api/openapi.json': {
      get: {
        summary: 'This document (public)',
        responses: { '200': { description: 'OpenAPI 3.0', content: json({ type: 'object' }) } },
      },
    },
    '/api/docs': {
      get: {
        summary: 'The endpoints as a web page (public)',
        responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (EdDSA)' } },
    schemas: SCHEMAS,
  },
};
