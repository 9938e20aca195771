// Greedy top-1 agreement: the pieces an engine streamed on WebGPU against those the same build streamed on the CPU
// for the same prompt, position by position. A GPU that computes garbage (a broken driver, f16 weights on a GPU
// without f16) diverges early and agrees little. Invariants: the first `limit` positions of the longer stream count,
// and a position one side never reached (it stopped sooner) counts as a difference; nothing compared, no percentage.

export interface Agreement {
  /** Positions compared: the first `limit` of the longer of the two streams. */
  compared: number;
  identical: number;
  /** identical / compared × 100. */
  percent: number;
  /** The first position where the two differ, with what each side had there ('' where a side had ended). */
  firstDivergence?: { index: number; reference: string; candidate: string };
}

export function agreement(reference: readonly string[], candidate: readonly string[], limit: number): Agreement | undefined {
  const compared = Math.min(Math.max(reference.length, candidate.length), Math.max(0, Math.floor(limit)));
  if (compared === 0) return undefined;
  let identical = 0;
  let firstDivergence: Agreement['firstDivergence'];
  for (let index = 0; index < compared; index += 1) {
    const expected = reference[index];
    const got = candidate[index];
    if (expected !== undefined && expected === got) {
      identical += 1;
    } else if (!firstDivergence) {
      firstDivergence = { index, reference: expected ?? '', candidate: got ?? '' };
    }
  }
  return { compared, identical, percent: (identical / compared) * 100, ...(firstDivergence ? { firstDivergence } : {}) };
}
