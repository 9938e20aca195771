// Number formatting for the views: durations, rates and percentages, rounded for reading, not for maths.
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
