// A scorecard run as it is kept and exported: the sides it ran on, one result per side and task, and where it was
// measured. The parser is the one gate for what comes back from storage or from an imported file: it keeps only
// known fields, checks each one, and names the first wrong field. Every string it returns is untrusted text (a view
// renders it as text, or the answer through the sanitised Markdown component), never markup.
import { isRecord } from '../../../common/guards';
import type { TaskGroup } from './types';

export const TASK_GROUPS: readonly TaskGroup[] = ['arithmetic', 'code', 'instructions', 'multilingual', 'pictures'];

/** `pass`/`fail`: graded. `error`: the side failed to answer (named error). `not-run`: never sent, with the reason. */
export type TaskStatus = 'pass' | 'fail' | 'error' | 'not-run';
const TASK_STATUSES: readonly TaskStatus[] = ['pass', 'fail', 'error', 'not-run'];

export interface SidePrice {
  inputPerMillion: number;
  /** Absent: cached input is billed as input (src/lib/remote/pricing.ts). */
  cachedInputPerMillion?: number;
  outputPerMillion: number;
}

export interface ScorecardSide {
  /** `local` for the model in this browser, else the remote side's id. */
  id: string;
  kind: 'local' | 'remote';
  name: string;
  model: string;
  licence: string;
  contextTokens?: number;
  readsPictures: boolean;
  /** Remote sides with a price only: without one their cost is unknown, never $0. */
  price?: SidePrice;
  /** From the side's first task sent to its last one ended. */
  wallMs?: number;
}

export interface TaskResult {
  sideId: string;
  taskId: string;
  group: TaskGroup;
  status: TaskStatus;
  /** The answer as it came (untrusted). */
  answer: string;
  /** The grader's reason, the error's message, or why the task was not run. */
  why: string;
  errorName?: string;
  timeToFirstTokenMs?: number;
  /** Measured (measured-rate.ts) or absent. */
  tokensPerS?: number;
  inputTokens?: number;
  cachedInputTokens?: number;
  outputTokens?: number;
  /** Remote only, and only when both usage and a price are known. */
  costUsd?: number;
  /** Bytes the request sent off the device; 0 for the local side. */
  sentBytes?: number;
  totalMs?: number;
}

export type RunStatus = 'running' | 'done' | 'stopped' | 'interrupted';
const RUN_STATUSES: readonly RunStatus[] = ['running', 'done', 'stopped', 'interrupted'];

export interface RunDevice {
  browser: string;
  adapter?: string;
}

export interface ScorecardRun {
  id: string;
  startedAt: number;
  finishedAt?: number;
  status: RunStatus;
  taskSet: { id: string; version: number };
  groups: TaskGroup[];
  sides: ScorecardSide[];
  results: TaskResult[];
  device: RunDevice;
  /** Absent for a run measured here; an imported run says where it came from. */
  importedFrom?: { label: string; importedAt: number };
  /** Blind-vote wins per side id as they stood when exported (imported runs only; runs here read them live). */
  votes?: Record<string, number>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; problem: string };

/** Strings are capped so an imported file cannot make the page hold megabytes per cell. */
const MAX_TEXT = 20_000;
const MAX_RESULTS = 5_000;
const MAX_SIDES = 8;

class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

function text(record: Record<string, unknown>, key: string, where: string, optional = false): string | undefined {
  const value = record[key];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string') throw new FieldError(`${where}.${key}`, 'is not text');
  if (value.length > MAX_TEXT) throw new FieldError(`${where}.${key}`, `is longer than ${MAX_TEXT} characters`);
  return value;
}

function requiredText(record: Record<string, unknown>, key: string, where: string): string {
  return text(record, key, where) ?? '';
}

function count(record: Record<string, unknown>, key: string, where: string, optional = true): number | undefined {
  const value = record[key];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new FieldError(`${where}.${key}`, 'is not a number of 0 or more');
  return value;
}

function requiredCount(record: Record<string, unknown>, key: string, where: string): number {
  return count(record, key, where, false) ?? 0;
}

function oneOf<T extends string>(record: Record<string, unknown>, key: string, where: string, allowed: readonly T[]): T {
  const value = record[key];
  const found = allowed.find((option) => option === value);
  if (found === undefined) throw new FieldError(`${where}.${key}`, `is not one of ${allowed.join(', ')}`);
  return found;
}

function recordAt(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new FieldError(where, 'is not an object');
  return value;
}

function listAt(value: unknown, where: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new FieldError(where, 'is not a list');
  if (value.length > max) throw new FieldError(where, `has more than ${max} entries`);
  return value;
}

/** Sets `key` on `target` only when `value` is defined, so clean copies carry no `undefined` fields. */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function parsePrice(value: unknown, where: string): SidePrice | undefined {
  if (value === undefined) return undefined;
  const price = recordAt(value, where);
  const clean: SidePrice = {
    inputPerMillion: requiredCount(price, 'inputPerMillion', where),
    outputPerMillion: requiredCount(price, 'outputPerMillion', where),
  };
  put(clean, 'cachedInputPerMillion', count(price, 'cachedInputPerMillion', where));
  return clean;
}

function parseSide(value: unknown, where: string): ScorecardSide {
  const side = recordAt(value, where);
  if (typeof side.readsPictures !== 'boolean') throw new FieldError(`${where}.readsPictures`, 'is not true or false');
  const clean: ScorecardSide = {
    id: requiredText(side, 'id', where),
    kind: oneOf(side, 'kind', where, ['local', 'remote'] as const),
    name: requiredText(side, 'name', where),
    model: requiredText(side, 'model', where),
    licence: requiredText(side, 'licence', where),
    readsPictures: side.readsPictures,
  };
  put(clean, 'contextTokens', count(side, 'contextTokens', where));
  put(clean, 'price', parsePrice(side.price, `${where}.price`));
  put(clean, 'wallMs', count(side, 'wallMs', where));
  return clean;
}

const RESULT_FIGURES = [
  'timeToFirstTokenMs',
  'tokensPerS',
  'inputTokens',
  'cachedInputTokens',
  'outputTokens',
  'costUsd',
  'sentBytes',
  'totalMs',
] as const;

function parseResult(value: unknown, where: string, sideIds: ReadonlySet<string>): TaskResult {
  const result = recordAt(value, where);
  const sideId = requiredText(result, 'sideId', where);
  if (!sideIds.has(sideId)) throw new FieldError(`${where}.sideId`, 'names no side of this run');
  const clean: TaskResult = {
    sideId,
    taskId: requiredText(result, 'taskId', where),
    group: oneOf(result, 'group', where, TASK_GROUPS),
    status: oneOf(result, 'status', where, TASK_STATUSES),
    answer: requiredText(result, 'answer', where),
    why: requiredText(result, 'why', where),
  };
  put(clean, 'errorName', text(result, 'errorName', where, true));
  for (const key of RESULT_FIGURES) put(clean, key, count(result, key, where));
  return clean;
}

/** One result per side and task: a file with two would count a task twice (and the view keys rows by the pair). */
function uniqueResults(results: TaskResult[], where: string): TaskResult[] {
  const seen = new Set<string>();
  results.forEach((result, index) => {
    const key = `${result.sideId}\u0000${result.taskId}`;
    if (seen.has(key)) throw new FieldError(`${where}.results[${index}]`, 'repeats a task already given for the same side');
    seen.add(key);
  });
  return results;
}

function parseVotes(value: unknown, where: string): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  const votes = recordAt(value, where);
  const clean: Record<string, number> = {};
  for (const key of Object.keys(votes).slice(0, MAX_SIDES + 1)) clean[key] = requiredCount(votes, key, where);
  return clean;
}

function parseRunOrThrow(value: unknown, where: string): ScorecardRun {
  const run = recordAt(value, where);
  const taskSet = recordAt(run.taskSet, `${where}.taskSet`);
  const device = recordAt(run.device, `${where}.device`);
  const sides = listAt(run.sides, `${where}.sides`, MAX_SIDES).map((side, index) => parseSide(side, `${where}.sides[${index}]`));
  if (sides.length === 0) throw new FieldError(`${where}.sides`, 'is empty');
  const sideIds = new Set(sides.map((side) => side.id));
  if (sideIds.size !== sides.length) throw new FieldError(`${where}.sides`, 'has two sides with the same id');
  const groups = listAt(run.groups, `${where}.groups`, TASK_GROUPS.length).map((group, index) => {
    const found = TASK_GROUPS.find((known) => known === group);
    if (found === undefined) throw new FieldError(`${where}.groups[${index}]`, `is not one of ${TASK_GROUPS.join(', ')}`);
    return found;
  });
  const clean: ScorecardRun = {
    id: requiredText(run, 'id', where),
    startedAt: requiredCount(run, 'startedAt', where),
    status: oneOf(run, 'status', where, RUN_STATUSES),
    taskSet: { id: requiredText(taskSet, 'id', `${where}.taskSet`), version: requiredCount(taskSet, 'version', `${where}.taskSet`) },
    groups,
    sides,
    results: uniqueResults(
      listAt(run.results, `${where}.results`, MAX_RESULTS).map((result, index) => parseResult(result, `${where}.results[${index}]`, sideIds)),
      where,
    ),
    device: { browser: requiredText(device, 'browser', `${where}.device`) },
  };
  put(clean.device, 'adapter', text(device, 'adapter', `${where}.device`, true));
  put(clean, 'finishedAt', count(run, 'finishedAt', where));
  if (run.importedFrom !== undefined) {
    const origin = recordAt(run.importedFrom, `${where}.importedFrom`);
    clean.importedFrom = {
      label: requiredText(origin, 'label', `${where}.importedFrom`),
      importedAt: requiredCount(origin, 'importedAt', `${where}.importedFrom`),
    };
  }
  put(clean, 'votes', parseVotes(run.votes, `${where}.votes`));
  return clean;
}

/** A clean copy of a run, or the first wrong field (`run.results[3].status`) and what is wrong with it. */
export function parseRun(value: unknown, where = 'run'): Parsed<ScorecardRun> {
  try {
    return { ok: true, value: parseRunOrThrow(value, where) };
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, field: error.field, problem: error.problem };
    throw error;
  }
}

/** The stored runs that parse; a run left half way by a reload reads as interrupted. Returns how many were unreadable. */
export function parseStoredRuns(value: unknown): { runs: ScorecardRun[]; leftOut: number } {
  if (!Array.isArray(value)) return { runs: [], leftOut: value === undefined ? 0 : 1 };
  const runs: ScorecardRun[] = [];
  let leftOut = 0;
  for (const entry of value) {
    const parsed = parseRun(entry);
    if (!parsed.ok) {
      leftOut += 1;
      continue;
    }
    if (parsed.value.status === 'running') parsed.value.status = 'interrupted';
    runs.push(parsed.value);
  }
  return { runs, leftOut };
}
