import { fixtures, type Msisdn } from '@app/domain';
import { isChineseMobile, segmentOwner } from './segments';

const n = (s: string) => s as Msisdn;

describe(segmentOwner.name, () => {
  it.each([
    ['+8613312345678', 'CTCC'],
    ['+8619112345678', 'CTCC'],
    ['+8613412345678', 'CMCC'],
    ['+8613912345678', 'CMCC'],
    ['+8619812345678', 'CMCC'],
    ['+8613012345678', 'CUCC'],
    ['+8616612345678', 'CUCC'],
    ['+8619212345678', 'CBN'],
  ])('gives %s to %s', (msisdn, carrier) => {
    expect(segmentOwner(n(msisdn))).toBe(carrier);
  });

  it('owns no foreign number and no unallocated segment', () => {
    expect(segmentOwner(n('+12025550123'))).toBeUndefined();
    expect(segmentOwner(n('+8614012345678'))).toBeUndefined();
    expect(segmentOwner(n('+8616012345678'))).toBeUndefined();
  });

  it('tells Chinese mobiles from other numbers', () => {
    expect(isChineseMobile(n('+8617012345678'))).toBe(true);
    expect(isChineseMobile(n('+12025550123'))).toBe(false);
  });
});

describe('the segment table and the simulator', () => {
  it.each([
    ['the simulator', { heavyPerMille: 3, fraudPerMille: 1, extras: true }],
    ['the least-harm people too', { heavyPerMille: 3, fraudPerMille: 1, extras: { leastHarmPerMille: 5 } }],
  ])('gives every subscriber of %s the carrier it was subscribed with', (_, options) => {
    const pop = fixtures.population({ subscribers: 3000, days: 1, seed: 7, carriers: true, ...options });
    const segments = new Set<string>();
    const wrong: string[] = [];
    for (const [msisdn, carrier] of pop.carrierOf) {
      segments.add(msisdn.slice(3, 6));
      if (segmentOwner(msisdn) !== carrier) wrong.push(`${msisdn} (${carrier}, table ${segmentOwner(msisdn)})`);
    }
    expect(wrong).toEqual([]);
    // The simulator's own segments outside the original table are among them.
    expect([...segments]).toEqual(expect.arrayContaining(['170', '171', '195']));
  });

  it('gives the virtual operators to their hosts and the 2019 segments to their carriers', () => {
    expect(segmentOwner(n('+8617012345678'))).toBe('CUCC');
    expect(segmentOwner(n('+8617112345678'))).toBe('CUCC');
    expect(segmentOwner(n('+8616212345678'))).toBe('CTCC');
    expect(segmentOwner(n('+8619012345678'))).toBe('CTCC');
    expect(segmentOwner(n('+8619612345678'))).toBe('CUCC');
    expect(segmentOwner(n('+8619712345678'))).toBe('CMCC');
  });
});
