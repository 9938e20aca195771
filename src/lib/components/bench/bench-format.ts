// How the Benchmark view says its figures: rates, times, bytes, shares and dates, and the roofline of a result
// (its own bandwidth, or for this device's results the one set now). A figure that was not measured reads "–".
import { decodeCeiling, shareOfCeiling } from '../../../../common/bench/roofline';
import type { BenchResult, MemoryReading } from '../../../../common/bench/result';
import { formatBytes, formatMs, formatRate } from '../../format';

export const DASH = '–';

export function rate(perSecond: number | undefined): string {
  return perSecond === undefined || !(perSecond > 0) ? DASH : formatRate(perSecond, 'tok');
}

export function ms(value: number | undefined): string {
  return value === undefined ? DASH : formatMs(value);
}

export function share(fraction: number | undefined): string {
  if (fraction === undefined) return DASH;
  const percent = fraction * 100;
  return `${percent.toFixed(percent < 10 ? 1 : 0)}%`;
}

export function memory(reading: MemoryReading): string {
  if (reading.bytes === undefined) return 'not exposed';
  return `${formatBytes(reading.bytes)} ${reading.source === 'performance.memory' ? '(page heap)' : '(page + worker)'}`;
}

/** "2026-05-03 14:05" in UTC: the same text on every machine that reads the export. */
export function when(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

export function deviceLabel(device: BenchResult['device']): string {
  return device === 'webgpu' ? 'WebGPU' : 'CPU';
}

export interface Roofline {
  bandwidthGBps?: number;
  ceiling?: number;
  share?: number;
}

/** The ceiling and share of a result: with its own bandwidth, else (this device's results) `fallbackGBps`. */
export function rooflineOf(result: BenchResult, fallbackGBps: number | undefined): Roofline {
  const bandwidthGBps = result.roofline.bandwidthGBps ?? fallbackGBps;
  const ceiling = decodeCeiling(bandwidthGBps, result.roofline);
  return { ...(bandwidthGBps !== undefined ? { bandwidthGBps } : {}), ...(ceiling !== undefined ? { ceiling, share: shareOfCeiling(result.decodeTokensPerS, ceiling) } : {}) };
}

export function turnRatio(result: BenchResult): string {
  const turns = result.turns;
  if (!turns || !(turns.turn1TtftMs > 0)) return DASH;
  return `${(turns.turn3TtftMs / turns.turn1TtftMs).toFixed(2)}×`;
}
