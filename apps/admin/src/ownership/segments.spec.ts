import type { Msisdn } from '@app/domain';
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
    expect(segmentOwner(n('+8617012345678'))).toBeUndefined();
  });

  it('tells Chinese mobiles from other numbers', () => {
    expect(isChineseMobile(n('+8617012345678'))).toBe(true);
    expect(isChineseMobile(n('+12025550123'))).toBe(false);
  });
});
