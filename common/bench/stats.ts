// The statistics the benchmark reports: the median of a run's figures (robust to the slow first run and the odd
// stall) and a rounding helper. Invariant: no figure is made up; an empty list has no median.

/** The median of `values`; undefined for an empty list. Non-finite values are left out. */
export function median(values: readonly number[]): number | undefined {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** The median, or 0 for an empty list: for figures that always have at least one run behind them. */
export function medianOrZero(values: readonly number[]): number {
  return median(values) ?? 0;
}
