import type { CarrierEvent, Msisdn } from '@app/domain';
import { cst, DAY, people, Scenario } from '../../../libs/domain/src/carrier/fixtures';

export interface Traffic {
  /** Subscriber records first, then calls in time order. */
  events: CarrierEvent[];
  honest: Msisdn[];
  fraud: Msisdn[];
}

const CONTACTS_PER_PERSON = 6;
const CALLS_PER_BURST = 80;
const VICTIMS = 4000;

/**
 * `total` events of a carrier's two days: honest subscribers calling their usual
 * contacts (answered, talked, both ways) and `fraudCallers` two-day-old numbers
 * each calling 80 strangers within an hour, a quarter answering (the pattern
 * of the `newNumberBurst` fixture, which reaches RESTRICT under `default`).
 */
export function mixedTraffic({
  honestCallers,
  fraudCallers,
  total,
}: {
  honestCallers: number;
  fraudCallers: number;
  total: number;
}): Traffic {
  const s = new Scenario(2024);
  const from = cst('2024-04-01T08:00');
  // Numbers spread over their range (people()), so nobody looks like a sequential dialler by accident.
  const subscribers = (prefix: string, count: number, activatedAt: number) =>
    people(s, prefix, count).map((m) => s.subscriber(m.slice(3), activatedAt));
  const honest = subscribers('139', honestCallers, cst('2019-05-01T10:00'));
  const everyContact = subscribers('136', honestCallers * CONTACTS_PER_PERSON, cst('2016-01-01T10:00'));
  const contacts = honest.map((_, i) => everyContact.slice(i * CONTACTS_PER_PERSON, (i + 1) * CONTACTS_PER_PERSON));
  const victims = subscribers('137', VICTIMS, cst('2017-01-01T10:00'));
  const fraud = subscribers('171', fraudCallers, from - 2 * DAY);

  for (const gang of fraud) {
    const start = from + s.between(0, 2 * DAY - 2 * 3_600_000);
    const first = s.between(0, VICTIMS - 1);
    for (let c = 0; c < CALLS_PER_BURST; c++) {
      const answered = s.chance(0.25);
      s.call(
        start + c * 45_000,
        gang,
        victims[(first + c * 37) % VICTIMS],
        answered,
        answered ? s.between(20, 300) : s.between(15, 30),
      );
    }
  }
  const honestCalls = total - s.events.length;
  for (let k = 0; k < honestCalls; k++) {
    const person = k % honestCallers;
    const peer = contacts[person][s.between(0, CONTACTS_PER_PERSON - 1)];
    const at = from + s.between(0, 2 * DAY);
    if (s.chance(0.5)) s.call(at, honest[person], peer, true, s.between(30, 400));
    else s.call(at, peer, honest[person], true, s.between(30, 400));
  }
  return { events: s.sorted(), honest, fraud };
}
