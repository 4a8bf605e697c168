import { WriteWindow } from './write-window';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe(WriteWindow.name, () => {
  it('lets writes run behind the analysis up to its limit, then waits for the oldest', async () => {
    const window = new WriteWindow(2);
    const writes = [deferred(), deferred(), deferred()];
    await window.add(writes[0].promise);
    await window.add(writes[1].promise);
    let third = false;
    const adding = window.add(writes[2].promise).then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    writes[0].resolve();
    await adding;
    expect(third).toBe(true);
    expect(window.inFlight).toBe(2);
  });

  it('settles once every write is durable', async () => {
    const window = new WriteWindow(8);
    const writes = [deferred(), deferred()];
    for (const w of writes) await window.add(w.promise);
    let settled = false;
    const settling = window.settle().then(() => (settled = true));
    writes[1].resolve();
    await Promise.resolve();
    expect(settled).toBe(false);
    writes[0].resolve();
    await settling;
    expect(window.inFlight).toBe(0);
  });

  it('reports the first failure, at the next batch or at the end', async () => {
    const window = new WriteWindow(8);
    const failing = deferred();
    await window.add(failing.promise);
    failing.reject(new Error('disk full'));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(window.add(Promise.resolve())).rejects.toThrow('disk full');
    await expect(window.settle()).rejects.toThrow('disk full');
  });
});
