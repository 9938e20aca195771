// What the comparison state hands the remote client: the wait for a silent endpoint, 120 s unless the user set
// another within 1 to 3600 s, sent as `idleTimeoutMs` with every remote call and kept with the settings.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_TIMEOUT_S } from '../../src/lib/remote/idle-timeout';
import { CompareState } from '../../src/lib/state/compare.svelte';
import { SettingsState } from '../../src/lib/state/settings.svelte';
import { defaultSettings, parseSettings } from '../../src/lib/settings';

describe('CompareState: the idle timeout', () => {
  it('sends the default wait, then the one the user set; refuses waits out of bounds', async () => {
    const compare = new CompareState(new SettingsState());
    expect(DEFAULT_IDLE_TIMEOUT_S).toBe(120);
    expect(compare.remoteSettings().idleTimeoutMs).toBe(120_000);
    expect(await compare.setIdleTimeout(2)).toBe(true);
    expect(compare.idleTimeoutS).toBe(2);
    expect(compare.remoteSettings().idleTimeoutMs).toBe(2_000);
    for (const bad of [0, -1, 3601, Number.NaN]) expect(await compare.setIdleTimeout(bad)).toBe(false);
    expect(compare.remoteSettings().idleTimeoutMs).toBe(2_000);
  });

  it('is kept with the settings: a stored wait is read back, one out of bounds falls back to the default', () => {
    const defaults = defaultSettings('http://127.0.0.1:8090/');
    expect(parseSettings({ compare: { idleTimeoutS: 30 } }, defaults).compare.idleTimeoutS).toBe(30);
    for (const bad of [0, 4000, 2.5, '30', null]) {
      expect(parseSettings({ compare: { idleTimeoutS: bad } }, defaults).compare.idleTimeoutS).toBe(DEFAULT_IDLE_TIMEOUT_S);
    }
  });
});
