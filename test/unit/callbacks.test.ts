// The worker answers a call only after the page has run every callback it made (workers/callbacks.ts), and the
// page drops a callback that still arrives after the answer (engine-client). Together they fix the sideload import
// that stayed at "Storing … 458 KB of 458 KB": comlink's answer overtook the last progress message.
import { expose, proxy, wrap, type Remote } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { trackCallback, withCallback } from '../../workers/callbacks';

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A worker-side API over a real MessageChannel, reporting progress through a page callback. */
interface Importer {
  run(steps: number, onProgress: (step: number) => void): Promise<string>;
}

function connect(api: Importer): Remote<Importer> {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  expose(api, port2);
  return wrap<Importer>(port1);
}

describe('withCallback', () => {
  it('answers through comlink only after the page has run every progress call', async () => {
    const remote = connect({
      run: (steps, onProgress) =>
        withCallback(onProgress, async (progress) => {
          for (let step = 1; step <= steps; step += 1) progress(step); // not awaited, as the engines call it
          return 'done';
        }),
    });
    const seen: number[] = [];
    // A page that is slow to take each message (a busy main thread): without the tracking, the answer would
    // arrive while most steps are still on their way.
    const answer = await remote.run(5, proxy(async (step: number) => {
      await pause(5);
      seen.push(step);
    }));
    expect(answer).toBe('done');
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('still waits for the calls made before the work failed, and rethrows its error', async () => {
    const seen: number[] = [];
    const slow = (step: number): Promise<void> => pause(10).then(() => void seen.push(step));
    await expect(
      withCallback(slow, async (progress) => {
        progress(1);
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(seen).toEqual([1]);
  });

  it('a callback that throws does not fail the work', async () => {
    const answer = await withCallback(
      () => {
        throw new Error('page gone');
      },
      async (progress) => {
        progress(1);
        return 42;
      },
    );
    expect(answer).toBe(42);
  });
});

describe('trackCallback', () => {
  it('releases a comlink proxy once settled, so its port closes', async () => {
    let released = 0;
    const callback = Object.assign((value: number) => void value, {});
    const { releaseProxy } = await import('comlink');
    Reflect.set(callback, releaseProxy, () => {
      released += 1;
    });
    const tracked = trackCallback(callback);
    tracked.call(1);
    await tracked.settle();
    expect(released).toBe(1);
  });
});
