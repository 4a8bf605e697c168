import { NumberMap } from './number-map';

describe(NumberMap.name, () => {
  it('keeps, replaces and forgets values by number, as a Map does', () => {
    const map = new NumberMap<string>(4);
    map.set(8619112345678, 'a').set(8613800000002, 'b');
    map.set(8619112345678, 'c');
    expect(map.size).toBe(2);
    expect(map.get(8619112345678)).toBe('c');
    expect(map.has(8613800000002)).toBe(true);
    expect(map.get(8613800000003)).toBeUndefined();
    expect(map.delete(8613800000002)).toBe(true);
    expect(map.delete(8613800000002)).toBe(false);
    expect([...map]).toEqual([[8619112345678, 'c']]);
  });

  it('agrees with a Map over many random insertions and deletions (growth and probe chains included)', () => {
    const map = new NumberMap<number>(8);
    const reference = new Map<number, number>();
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let step = 0; step < 50_000; step++) {
      // Few distinct keys, many collisions: numbers of one segment.
      const key = 8613500000000 + (random() % 5000);
      if (random() % 3 === 0) expect(map.delete(key)).toBe(reference.delete(key));
      else {
        map.set(key, step);
        reference.set(key, step);
      }
    }
    expect(map.size).toBe(reference.size);
    for (const [key, value] of reference) expect(map.get(key)).toBe(value);
    expect(new Map(map.entries())).toEqual(reference);
  });

  it('deletes the entries a predicate picks', () => {
    const map = new NumberMap<number>();
    for (let i = 1; i <= 100; i++) map.set(8613900000000 + i, i);
    expect(map.deleteWhere((_key, value) => value % 2 === 0)).toBe(50);
    expect(map.size).toBe(50);
    expect(map.get(8613900000002)).toBeUndefined();
    expect(map.get(8613900000003)).toBe(3);
  });

  it('refuses keys that are not positive whole numbers', () => {
    expect(() => new NumberMap().set(0, 1)).toThrow(RangeError);
    expect(() => new NumberMap().set(1.5, 1)).toThrow(RangeError);
  });
});
