// The admin writes case events as English sentences (apps/admin/src/cases/case-timeline.ts and the
// escalation in case-tracker.service.ts); the page reads their parts back to say them in its language.
// A sentence it does not know is shown as written.
import { label, has, t } from './i18n.js';
import { reasonText } from './reasons.js';
import { formatDecimal, formatTime, joinList } from './view.js';

const ACTIONS = 'NONE|MONITOR|WARN|RESTRICT|SUSPEND|RESTORE|REPORT';
const KINDS = 'REVIEW|SUSPEND|RESTORE|HIGH_RISK_CELLS';

/** Each event sentence: its pattern, and how its parts become a message. */
const EVENTS = [
  {
    pattern: new RegExp(`^(${ACTIONS}) by (\\S+): (.*?) \\(policy (\\S+), score ([\\d.]+)\\)(?: — (.*))?$`, 's'),
    // The summary after the dash is left out: it is the carrier's own words, and the decisions
    // table above the events shows the same evidence in the page's language.
    text: ([action, carrier, reasons, policy, score]) =>
      t('event.decision', {
        action: label('action', action),
        carrier,
        reasons: reasonList(reasons ? reasons.split(', ') : []),
        policy,
        score,
      }),
  },
  {
    pattern: new RegExp(`^(${KINDS}) directive (\\S+) issued to (\\S+): (.*)$`, 's'),
    text: ([kind, id, carrier, reason]) =>
      t('event.directiveIssued', { kind: label('kind', kind), id, carrier, reason }),
  },
  {
    pattern: /^directive (\S+) delivered to (\S+)$/,
    text: ([id, carrier]) => t('event.directiveDelivered', { id, carrier }),
  },
  {
    pattern: new RegExp(`^(\\S+) (applied|rejected) (${KINDS}) directive (\\S+?)(?:: (.*))?$`, 's'),
    text: ([carrier, outcome, kind, id, detail]) =>
      withDetail(
        t(outcome === 'applied' ? 'event.directiveApplied' : 'event.directiveRejected', {
          carrier,
          kind: label('kind', kind),
          id,
        }),
        detail,
      ),
  },
  {
    pattern: /^directive (\S+) expired without an answer from (\S+)$/,
    text: ([id, carrier]) => t('event.directiveExpired', { id, carrier }),
  },
  {
    pattern: /^police cleared the number \(registry version (\d+)\): to be restored within (\d+) h$/,
    text: ([version, hours]) => t('event.policeCleared', { version, hours }),
  },
  {
    pattern: /^police confirmed fraud \(registry version (\d+)\)$/,
    text: ([version]) => t('event.policeConfirmed', { version }),
  },
  {
    pattern: /^escalated: not restored by (\S+), (\d+) h after the police clearance$/,
    text: ([due, hours]) => t('event.escalated', { due: formatTime(due), hours }),
  },
];

/** A case event in the page's language. */
export function eventText(what) {
  for (const { pattern, text } of EVENTS) {
    const match = pattern.exec(what ?? '');
    if (match) return text(match.slice(1));
  }
  return what ?? '';
}

/**
 * A decision's evidence: its measures (name, value, threshold) when the
 * carrier sent them, else its summary (reason codes are translated).
 */
export function evidenceText(evidence) {
  const measures = evidence?.measures ?? [];
  if (measures.length > 0)
    return joinList(
      measures.map((m) =>
        t('measure.line', {
          name: has(`measure.${m.name}`) ? t(`measure.${m.name}`) : m.name,
          value: formatDecimal(m.value),
          threshold: formatDecimal(m.threshold),
        }),
      ),
    );
  return summaryText(evidence?.summary ?? '');
}

/** Reason codes in plain language, listed the page's way. */
export function reasonList(codes) {
  return joinList(codes.map(reasonText));
}

/** A summary that is only reason codes ("CALL_BURST, SHORT_CALLS") is translated; a carrier's own words are not. */
function summaryText(summary) {
  return /^[A-Z_]+(, [A-Z_]+)*$/.test(summary) ? reasonList(summary.split(', ')) : summary;
}

function withDetail(text, detail) {
  return detail ? t('event.detail', { text, detail }) : text;
}
