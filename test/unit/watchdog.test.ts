// The worker watchdog alone, under fake timers: quiet time, signs of life, one timer per call, none after stop.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CPU_WATCHDOG_FACTOR, watchCall, watchdogLimitMs } from '../../src/lib/worker-watchdog';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('watchCall', () => {
  it('fires once when the call stays quiet for the limit, not a moment before', () => {
    const onHung = vi.fn<(quietMs: number) => void>();
    watchCall(100, onHung);
    vi.advanceTimersByTime(99);
    expect(onHung).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onHung).toHaveBeenCalledTimes(1);
    expect(onHung).toHaveBeenCalledWith(100);
    vi.advanceTimersByTime(1000);
    expect(onHung).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts the quiet time from the last sign of life', () => {
    const onHung = vi.fn<(quietMs: number) => void>();
    const watch = watchCall(100, onHung);
    // Progress every 30 ms for 300 ms: slow, but alive.
    for (let elapsed = 0; elapsed < 300; elapsed += 30) {
      vi.advanceTimersByTime(30);
      watch.alive();
    }
    expect(onHung).not.toHaveBeenCalled();
    vi.advanceTimersByTime(99);
    expect(onHung).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onHung).toHaveBeenCalledTimes(1);
  });

  it('keeps one timer per call however many signs of life arrive', () => {
    const watch = watchCall(100, () => undefined);
    for (let token = 0; token < 50; token += 1) {
      vi.advanceTimersByTime(3);
      watch.alive();
      expect(vi.getTimerCount()).toBe(1);
    }
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never fires for a call that ended just before the limit, and leaves no timer', () => {
    const onHung = vi.fn<(quietMs: number) => void>();
    const watch = watchCall(100, onHung);
    vi.advanceTimersByTime(99);
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(onHung).not.toHaveBeenCalled();
  });

  it('stops after a re-armed check too (the timer that waits for the rest of the limit)', () => {
    const onHung = vi.fn<(quietMs: number) => void>();
    const watch = watchCall(100, onHung);
    vi.advanceTimersByTime(60);
    watch.alive();
    vi.advanceTimersByTime(50); // the first check found 50 ms of quiet and re-armed for 50 more
    expect(vi.getTimerCount()).toBe(1);
    watch.stop();
    vi.advanceTimersByTime(10_000);
    expect(onHung).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('watches each call on its own', () => {
    const first = vi.fn<(quietMs: number) => void>();
    const second = vi.fn<(quietMs: number) => void>();
    const firstWatch = watchCall(100, first);
    vi.advanceTimersByTime(50);
    watchCall(100, second);
    expect(vi.getTimerCount()).toBe(2);
    firstWatch.stop();
    vi.advanceTimersByTime(100);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('uses the timers it is given', () => {
    let now = 0;
    const scheduled: { callback: () => void; at: number }[] = [];
    const onHung = vi.fn<(quietMs: number) => void>();
    watchCall(100, onHung, {
      now: () => now,
      setTimeout: (callback, ms) => {
        scheduled.push({ callback, at: now + ms });
        return setTimeout(() => undefined, 0);
      },
      clearTimeout: () => undefined,
    });
    expect(scheduled.map((entry) => entry.at)).toEqual([100]);
    now = 100;
    scheduled[0]?.callback();
    expect(onHung).toHaveBeenCalledWith(100);
  });
});

describe('watchdogLimitMs', () => {
  it('turns the setting into milliseconds, and gives the CPU five times longer', () => {
    expect(CPU_WATCHDOG_FACTOR).toBe(5);
    expect(watchdogLimitMs(120, 'webgpu')).toBe(120_000);
    expect(watchdogLimitMs(120, 'wasm')).toBe(600_000);
  });
});
