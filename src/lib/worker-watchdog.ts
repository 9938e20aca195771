// Watches one worker call for signs of life (a progress callback, a token, the answer). A call that stays quiet
// longer than its limit counts as hung and `onHung` runs, once. Invariants: one timer per watched call, and none
// left once `stop` ran, so a call that ends by itself, even just before the limit, never fires it.
import type { Device } from '../../common/protocol';

/** The CPU (WebAssembly) prefills and decodes many times slower than WebGPU, so its calls get this much longer. */
export const CPU_WATCHDOG_FACTOR = 5;

/** The quiet time a call on `device` may have before it counts as hung, from the setting in seconds. */
export function watchdogLimitMs(seconds: number, device: Device): number {
  return seconds * 1000 * (device === 'wasm' ? CPU_WATCHDOG_FACTOR : 1);
}

type TimerHandle = ReturnType<typeof setTimeout>;

/** The clock and timer the watch uses; tests hand in their own. */
export interface WatchdogTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

// The globals are looked up at each call, not captured here, so fake timers installed later still apply.
export const realTimers: WatchdogTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

export interface CallWatch {
  /** A sign of life: the quiet time starts again. */
  alive(): void;
  /** The call ended (answered or failed): the timer goes, and `onHung` can no longer run. */
  stop(): void;
}

/** Starts watching one call; `onHung` gets how long the call was quiet. */
export function watchCall(limitMs: number, onHung: (quietMs: number) => void, timers: WatchdogTimers = realTimers): CallWatch {
  let lastAlive = timers.now();
  let handle: TimerHandle | undefined;
  // A token stream is many signs of life a second: each one only notes the time, and the single timer re-arms
  // itself for what is left of the limit when it fires early.
  const check = (): void => {
    const quietMs = timers.now() - lastAlive;
    if (quietMs >= limitMs) {
      handle = undefined;
      onHung(quietMs);
    } else {
      handle = timers.setTimeout(check, limitMs - quietMs);
    }
  };
  handle = timers.setTimeout(check, limitMs);
  return {
    alive() {
      lastAlive = timers.now();
    },
    stop() {
      if (handle !== undefined) timers.clearTimeout(handle);
      handle = undefined;
    },
  };
}
