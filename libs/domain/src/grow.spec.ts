import { grown, growable, GROWTH_RESERVE } from './grow';

describe('grown', () => {
  it('grows in place within its reserve, keeping what it held and zeroing the rest', () => {
    const a = growable(Float64Array, 1024);
    a[0] = 8613800000001;
    a[1023] = 7;
    const b = grown(a, Float64Array, 1536);
    expect(b.buffer).toBe(a.buffer);
    expect([b[0], b[1023], b[1024], b[1535]]).toEqual([8613800000001, 7, 0, 0]);
  });

  it('copies into a new reserve, in proportion, once it outgrows its own', () => {
    const a = growable(Uint32Array, 1024);
    a[5] = 42;
    const b = grown(a, Uint32Array, 1024 * GROWTH_RESERVE * 2);
    expect(b.buffer).not.toBe(a.buffer);
    expect(b[5]).toBe(42);
    expect(b.length).toBe(1024 * GROWTH_RESERVE * 2);
    const c = grown(b, Uint32Array, b.length * 2);
    expect(c.buffer).toBe(b.buffer);
    expect(c[5]).toBe(42);
  });

  it('shrinks by copying, so a later growth finds zeros', () => {
    const a = growable(Uint8Array, 64);
    a.fill(9);
    const b = grown(a, Uint8Array, 16);
    expect(b.buffer).not.toBe(a.buffer);
    const c = grown(b, Uint8Array, 64);
    expect([c[15], c[16], c[63]]).toEqual([9, 0, 0]);
  });

  it('lets hundreds of small arrays live side by side (the reserve is proportional)', () => {
    const arrays = Array.from({ length: 2000 }, () => growable(Float64Array, 1024));
    expect(arrays.every((a) => a.length === 1024)).toBe(true);
  });
});
