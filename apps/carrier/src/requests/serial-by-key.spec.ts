import { SerialByKey } from './serial-by-key';

describe(SerialByKey.name, () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('runs tasks of one key in order, never together, and forgets the key when done', async () => {
    const serial = new SerialByKey();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([serial.run('k', task('a')), serial.run('k', task('b'))]);
    expect(results).toEqual(['a', 'b']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end']);
    await tick();
    expect(serial.size).toBe(0);
  });

  it('runs other keys side by side, and goes on after a failure', async () => {
    const serial = new SerialByKey();
    const log: string[] = [];
    const failing = serial.run('k', async () => {
      log.push('k1');
      await tick();
      throw new Error('boom');
    });
    const other = serial.run('j', async () => void log.push('j'));
    const next = serial.run('k', async () => void log.push('k2'));
    await expect(failing).rejects.toThrow('boom');
    await Promise.all([other, next]);
    expect(log).toEqual(['k1', 'j', 'k2']);
  });
});
