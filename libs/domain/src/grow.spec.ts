import { grown, growable, GROWTH_RESERVE, RESERVE_FROM_BYTES } from './grow';

/** Elements of 8 bytes in an array big enough to be resizable. */
const BIG = RESERVE_FROM_BYTES / 8;

describe('grown', () => {
  it('grows in place within its reserve, keeping what it held and zeroing the rest', () => {
    const a = growable(Float64Array, BIG);
    a[0] = 8613800000001;
    a[BIG - 1] = 7;
    const b = grown(a, Float64Array, BIG * 1.5);
    expect(b.buffer).toBe(a.buffer);
    expect([b[0], b[BIG - 1], b[BIG], b[BIG * 1.5 - 1]]).toEqual([8613800000001, 7, 0, 0]);
  });

  it('copies into a new reserve, in proportion, once it outgrows its own', () => {
    const a = growable(Float64Array, BIG);
    a[5] = 42;
    const b = grown(a, Float64Array, BIG * GROWTH_RESERVE * 2);
    expect(b.buffer).not.toBe(a.buffer);
    expect(b[5]).toBe(42);
    expect(b.length).toBe(BIG * GROWTH_RESERVE * 2);
    const c = grown(b, Float64Array, b.length * 2);
    expect(c.buffer).toBe(b.buffer);
    expect(c[5]).toBe(42);
  });

  it('keeps a small array plain, copied as it grows, until it is big enough to reserve', () => {
    const a = growable(Uint32Array, 1024);
    a[3] = 9;
    const b = grown(a, Uint32Array, 2048);
    expect(b.buffer).not.toBe(a.buffer);
    expect([b[3], b[2047]]).toEqual([9, 0]);
    const c = grown(b, Uint32Array, RESERVE_FROM_BYTES / 4);
    const d = grown(c, Uint32Array, RESERVE_FROM_BYTES / 2);
    expect(d.buffer).toBe(c.buffer);
    expect(d[3]).toBe(9);
  });

  it('shrinks by copying, so a later growth finds zeros', () => {
    const a = growable(Uint8Array, RESERVE_FROM_BYTES);
    a.fill(9);
    const b = grown(a, Uint8Array, 16);
    expect(b.buffer).not.toBe(a.buffer);
    const c = grown(b, Uint8Array, 64);
    expect([c[15], c[16], c[63]]).toEqual([9, 0, 0]);
  });
});
