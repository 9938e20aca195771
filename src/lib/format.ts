// Number and name formatting for the views: durations, rates, percentages, byte counts and engine names, rounded for
// reading, not for maths.
import type { EngineKind } from '../../common/model-record';
export function formatMs(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatRate(perSecond: number, unit: string): string {
  // Choose the digits from the rounded value, so 9.996 reads "10.0", not "10.00".
  const digits = perSecond < 9.995 ? 2 : perSecond < 99.95 ? 1 : 0;
  return `${perSecond.toFixed(digits)} ${unit}/s`;
}

export function formatPercent(done: number, total: number): string {
  if (total <= 0) return '0%';
  return `${Math.min(100, Math.floor((done / total) * 100))}%`;
}

const ENGINE_LABELS: Readonly<Record<EngineKind, string>> = { transformers: 'transformers.js', 'web-llm': 'web-llm' };

export function engineLabel(engine: EngineKind): string {
  return ENGINE_LABELS[engine];
}

const KB = 1000;
const BYTE_UNITS = ['KB', 'MB', 'GB', 'TB'];

/** Bytes for people, in decimal units: "512 B", "436 KB", "43.6 MB", "1.2 GB". Throws on a negative or NaN. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`Not a byte count: ${bytes}`);
  if (bytes < KB) return `${Math.round(bytes)} B`;
  let value = bytes / KB;
  let unit = 0;
  for (;;) {
    const shown = value < 100 ? Math.round(value * 10) / 10 : Math.round(value);
    if (shown < 1000 || unit === BYTE_UNITS.length - 1) {
      return `${shown < 100 ? shown.toFixed(1) : shown.toFixed(0)} ${BYTE_UNITS[unit] ?? 'TB'}`;
    }
    value /= 1000;
    unit += 1;
  }
}
