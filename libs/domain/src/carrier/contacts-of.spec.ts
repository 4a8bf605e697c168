import { AnalysisEngine, KNOWN_CONTACT_DAYS, msisdnKey } from './engine';
import { toSec } from './activity-store';
import { DEFAULT_POLICY_V4 } from './policy';
import { population } from './fixtures';
import type { Msisdn } from '../msisdn';

const DAY = 86_400_000;

/**
 * contactsOf is a number's own memory of its contacts, what the other shards judge its calls by: every peer it
 * lists was in contact with it by the engine's own rule, and for numbers whose memory never overflowed, every peer
 * the engine says it knows is listed, at any time within the window.
 */
describe('AnalysisEngine.contactsOf', () => {
  const pop = population({ subscribers: 300, days: 3, heavyPerMille: 20, fraudPerMille: 20, seed: 11 });
  const engine = new AnalysisEngine({ policy: DEFAULT_POLICY_V4 });
  for (const event of pop.events) engine.process(event);
  const end = pop.events[pop.events.length - 1].at;
  const numbers = [...new Set(pop.events.flatMap((e) => (e.type === 'subscriber' ? [e.msisdn] : [])))];
  const peersOf = new Map<Msisdn, Set<Msisdn>>();
  const note = (a: Msisdn, b: Msisdn) => {
    peersOf.set(a, (peersOf.get(a) ?? new Set()).add(b));
    peersOf.set(b, (peersOf.get(b) ?? new Set()).add(a));
  };
  for (const e of pop.events) {
    if (e.type === 'call') note(e.caller, e.callee);
    if (e.type === 'sms') note(e.sender, e.recipient);
  }
  const listed = (msisdn: Msisdn, peer: Msisdn, atMs: number) => {
    const at = new Map(engine.contactsOf(msisdn)).get(msisdnKey(peer));
    return at !== undefined && at >= toSec(atMs) - KNOWN_CONTACT_DAYS * 86_400;
  };

  it('lists only peers the engine knows, and the numbers with contacts have some', () => {
    let pairs = 0;
    for (const msisdn of numbers) {
      for (const [peerKey] of engine.contactsOf(msisdn)) {
        const peer = `+${peerKey}` as Msisdn;
        expect(engine.knows(msisdn, peer, end)).toBe(true);
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(numbers.length);
  });

  it('holds every peer the engine knows of a light number, at the window’s edges too', () => {
    let checked = 0;
    for (const msisdn of numbers) {
      const peers = [...(peersOf.get(msisdn) ?? [])];
      // A light number: its memory holds every call and text it made or got.
      if (peers.length === 0 || peers.length > 12) continue;
      for (const peer of peers)
        for (const at of [end, end + 29 * DAY, end + 31 * DAY]) {
          expect([msisdn, peer, at, listed(msisdn, peer, at)]).toEqual([
            msisdn,
            peer,
            at,
            engine.knows(msisdn, peer, at),
          ]);
          checked++;
        }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
