// One line of the scorecard per side: scores per task group and overall, median speed figures, token and cost
// totals, and blind-vote wins. Pure functions of a run.
// Invariants:
// - A score is passed / (passed + failed + errors); not-run tasks are left out, and a group with nothing graded has
//   no score (the view shows "n/a", never 0 %).
// - Cost is all or nothing: a remote side's cost is the sum of its results' costs only when it has a price and every
//   result that was sent has one; otherwise it is unknown (undefined), never $0. A partial sum would read as the
//   side being cheaper than it was. The local side costs 0.
import type { ScorecardRun, ScorecardSide, TaskResult } from './run-record';
import type { TaskGroup } from './types';

export interface GroupScore {
  passed: number;
  failed: number;
  errors: number;
  notRun: number;
  total: number;
  /** 0..1, or undefined when nothing in the group was graded. */
  score: number | undefined;
}

export interface SideSummary {
  sideId: string;
  kind: ScorecardSide['kind'];
  name: string;
  model: string;
  licence: string;
  contextTokens: number | undefined;
  readsPictures: boolean;
  groups: Partial<Record<TaskGroup, GroupScore>>;
  overall: GroupScore;
  medianTimeToFirstTokenMs: number | undefined;
  medianTokensPerS: number | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  costUsd: number | undefined;
  wallMs: number | undefined;
  sentBytes: number | undefined;
  blindWins: number;
}

/** The median, the mean of the middle two for an even count; undefined for no values. */
export function medianOf(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

function scoreOf(results: readonly TaskResult[]): GroupScore {
  const count = (status: TaskResult['status']): number => results.filter((result) => result.status === status).length;
  const passed = count('pass');
  const failed = count('fail');
  const errors = count('error');
  const graded = passed + failed + errors;
  return { passed, failed, errors, notRun: count('not-run'), total: results.length, score: graded > 0 ? passed / graded : undefined };
}

/** The sum of a figure over the results that report it; undefined when none does. */
function sumOf(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length === 0 ? undefined : known.reduce((total, value) => total + value, 0);
}

function known(values: readonly (number | undefined)[]): number[] {
  return values.filter((value): value is number => value !== undefined);
}

/** A pass or fail was answered, so it was sent; an error was sent when it put bytes on the wire. */
function wasSent(result: TaskResult): boolean {
  if (result.status === 'pass' || result.status === 'fail') return true;
  return result.status === 'error' && (result.sentBytes ?? 0) > 0;
}

function sideCost(side: ScorecardSide, results: readonly TaskResult[]): number | undefined {
  if (side.kind === 'local') return 0;
  if (side.price === undefined) return undefined;
  if (results.some((result) => wasSent(result) && result.costUsd === undefined)) return undefined;
  return results.reduce((total, result) => total + (result.costUsd ?? 0), 0);
}

export function summariseRun(run: ScorecardRun, votes?: Record<string, number>): SideSummary[] {
  return run.sides.map((side) => {
    const results = run.results.filter((result) => result.sideId === side.id);
    const groups: Partial<Record<TaskGroup, GroupScore>> = {};
    for (const group of run.groups) groups[group] = scoreOf(results.filter((result) => result.group === group));
    return {
      sideId: side.id,
      kind: side.kind,
      name: side.name,
      model: side.model,
      licence: side.licence,
      contextTokens: side.contextTokens,
      readsPictures: side.readsPictures,
      groups,
      overall: scoreOf(results.filter((result) => run.groups.includes(result.group))),
      medianTimeToFirstTokenMs: medianOf(known(results.map((result) => result.timeToFirstTokenMs))),
      medianTokensPerS: medianOf(known(results.map((result) => result.tokensPerS))),
      inputTokens: sumOf(results.map((result) => result.inputTokens)),
      outputTokens: sumOf(results.map((result) => result.outputTokens)),
      costUsd: sideCost(side, results),
      wallMs: side.wallMs,
      sentBytes: side.kind === 'local' ? 0 : sumOf(results.map((result) => result.sentBytes)),
      blindWins: votes?.[side.id] ?? run.votes?.[side.id] ?? 0,
    };
  });
}
