// Number formatting for the views: durations, rates and percentages, rounded for reading, not for maths.
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatRate(perSecond: number, unit: string): string {
  const digits = perSecond < 10 ? 2 : perSecond < 100 ? 1 : 0;
  return `${perSecond.toFixed(digits)} ${unit}/s`;
}

export function formatPercent(done: number, total: number): string {
  if (total <= 0) return '0%';
  return `${Math.min(100, Math.floor((done / total) * 100))}%`;
}
