// The header's offline status: the dev server says plainly that it stores nothing for offline use (it has no
// service worker) instead of "Saving the app for offline use…" forever; the built app reports the service worker.
import { describe, expect, it, vi } from 'vitest';
import { PwaState, type Register } from '../../src/lib/pwa.svelte';

type Options = Parameters<Register>[0];

function fakeRegister(): { register: Register; options: () => Options } {
  let seen: Options;
  const register = vi.fn((options: Options) => {
    seen = options;
    return async () => undefined;
  });
  return { register, options: () => seen };
}

describe('PwaState', () => {
  it('on the dev server says so and registers nothing', () => {
    const pwa = new PwaState();
    const { register } = fakeRegister();
    pwa.start(register, true);
    expect(pwa.shell).toBe('development');
    expect(register).not.toHaveBeenCalled();
  });

  it('in the built app waits for the service worker, then is offline-ready', () => {
    vi.stubGlobal('navigator', { serviceWorker: {} });
    try {
      const pwa = new PwaState();
      const { register, options } = fakeRegister();
      pwa.start(register, false);
      expect(pwa.shell).toBe('installing');
      options()?.onOfflineReady?.();
      expect(pwa.shell).toBe('offline-ready');
      options()?.onNeedRefresh?.();
      expect(pwa.updateAvailable).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
