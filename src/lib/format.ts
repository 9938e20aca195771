// Number and name formatting for the views: durations, rates, percentages, byte counts, engine names and the load
// progress line, rounded for reading, not for maths. A figure not known yet is said in words, never shown as zeros.
import type { EngineKind } from '../../common/model-record';
import type { LoadProgress } from '../../common/protocol';
export function formatMs(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatRate(perSecond: number, unit: string): string {
  // Choose the digits from the rounded value, so 9.996 reads "10.0", not "10.00".
  const digits = perSecond < 9.995 ? 2 : perSecond < 99.95 ? 1 : 0;
  return `${perSecond.toFixed(digits)} ${unit}/s`;
}

/** A rate that may not have been measured (measured-rate.ts): a dash then, never a made-up figure. */
export function formatMeasuredRate(perSecond: number | undefined, unit: string): string {
  return perSecond === undefined ? `– ${unit}/s` : formatRate(perSecond, unit);
}

export function formatPercent(done: number, total: number): string {
  if (total <= 0) return '0%';
  return `${Math.min(100, Math.floor((done / total) * 100))}%`;
}

const ENGINE_LABELS: Readonly<Record<EngineKind, string>> = {
  transformers: 'transformers.js',
  'web-llm': 'web-llm',
  'llama-cpp': 'llama.cpp',
};

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

/**
 * What a load's progress line says after its phase: "Starting the download…" until any size is known (never "0 B of
 * 0 B · 0/1 files"), the bytes so far when the total is not known, else bytes of total, percentage, speed; files
 * are counted once one is done (the total grows as the engine names them, so it is not shown as a fraction).
 */
export function loadProgressDetail(progress: LoadProgress, bytesPerSecond: number): string {
  const fetching = progress.phase === 'download' || progress.phase === 'cache-read';
  if (fetching && progress.loadedBytes === 0 && progress.totalBytes === 0) {
    return progress.phase === 'download' ? 'Starting the download…' : 'Opening the stored files…';
  }
  const parts =
    progress.totalBytes > 0
      ? [`${formatBytes(progress.loadedBytes)} of ${formatBytes(progress.totalBytes)}`, formatPercent(progress.loadedBytes, progress.totalBytes)]
      : [`${formatBytes(progress.loadedBytes)} so far`];
  if (progress.phase === 'download' && bytesPerSecond > 0) parts.push(formatRate(bytesPerSecond / 1e6, 'MB'));
  if (progress.filesDone > 0) parts.push(`${progress.filesDone} ${progress.filesDone === 1 ? 'file' : 'files'} done`);
  return parts.join(' · ');
}
