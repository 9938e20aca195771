// A scorecard run and the runs kept: every task of the set goes to each chosen side, sides in parallel and tasks one
// after another on a side (a side's speed is then its own, not shared with its next task); each answer is graded as
// it arrives and the run is saved after each result, so a reload keeps what was measured (as `interrupted`).
// Invariants:
// - One side failing never stops the others. The same error three times in a row on a side ends that side: its
//   remaining tasks are `not-run`, with the reason, instead of failing forty times.
// - Picture tasks go only to sides that read pictures; the others get `not-run` for them, which scores n/a.
// - Stop ends every side at once; the tasks not reached are `not-run` ("stopped"), the run is `stopped`.
import type { ImagePart } from '../../../common/protocol';
import { gradeAnswer } from '../scorecard/grade';
import { parseScorecardFile } from '../scorecard/exchange';
import { parseStoredRuns, type ScorecardRun, type ScorecardSide, type TaskResult } from '../scorecard/run-record';
import type { ScorecardSideRunner } from '../scorecard/side-runner';
import type { PictureSpec, RunCode, ScorecardTask, TaskGroup, TaskSet } from '../scorecard/types';

/** Enough for a short answer with a little reasoning; code needs room for a function. */
export const TASK_TOKEN_CAP = 256;
export const CODE_TOKEN_CAP = 768;
const SAME_ERROR_LIMIT = 3;
const MAX_KEPT_RUNS = 20;

export interface ScorecardStorage {
  load(): Promise<unknown>;
  save(runs: ScorecardRun[]): Promise<void>;
}

export interface ScorecardDeps {
  taskSet: TaskSet;
  runCode: RunCode;
  drawPicture: (spec: PictureSpec) => Promise<ImagePart>;
  storage: ScorecardStorage;
  device: () => { browser: string; adapter?: string };
}

export interface StartOptions {
  groups: readonly TaskGroup[];
  /** The user's answer length: a cap above it is lowered to it. */
  maxTokens?: number;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

export class ScorecardState {
  readonly #deps: ScorecardDeps;
  runs = $state<ScorecardRun[]>([]);
  /** Stored runs that could not be read (damaged or from another version). */
  leftOut = $state(0);
  running = $state<ScorecardRun | undefined>();
  /** Why the last save or import failed, for the view. */
  problem = $state<string | undefined>();
  #abort: AbortController | undefined;

  constructor(deps: ScorecardDeps) {
    this.#deps = deps;
  }

  get taskSet(): TaskSet {
    return this.#deps.taskSet;
  }

  /** Results in so far against all there will be, for the progress bar. */
  get progress(): { done: number; total: number } {
    const run = this.running;
    if (!run) return { done: 0, total: 0 };
    const tasks = this.#tasks(run.groups).length;
    return { done: run.results.length, total: tasks * run.sides.length };
  }

  async restore(): Promise<void> {
    try {
      const { runs, leftOut } = parseStoredRuns(await this.#deps.storage.load());
      this.runs = runs;
      this.leftOut = leftOut;
    } catch (error) {
      this.problem = `The stored scorecards could not be read (${errorName(error)}).`;
    }
  }

  stop(): void {
    this.#abort?.abort();
  }

  async start(runners: readonly ScorecardSideRunner[], options: StartOptions): Promise<ScorecardRun | undefined> {
    if (this.running || runners.length === 0) return undefined;
    const abort = new AbortController();
    this.#abort = abort;
    const run: ScorecardRun = {
      id: crypto.randomUUID(),
      startedAt: Date.now(),
      status: 'running',
      taskSet: { id: this.taskSet.id, version: this.taskSet.version },
      groups: [...options.groups],
      sides: runners.map((runner) => ({ ...runner.side })),
      results: [],
      device: this.#deps.device(),
    };
    this.runs = [run, ...this.runs].slice(0, MAX_KEPT_RUNS);
    // The proxied copy: results pushed to it reach the view.
    const live = this.runs[0] ?? run;
    this.running = live;
    await this.#save();
    const tasks = this.#tasks(live.groups);
    await Promise.all(runners.map((runner, index) => this.#runSide(live, live.sides[index] ?? runner.side, runner, tasks, options, abort.signal)));
    live.status = abort.signal.aborted ? 'stopped' : 'done';
    live.finishedAt = Date.now();
    this.running = undefined;
    this.#abort = undefined;
    await this.#save();
    return live;
  }

  async importFile(text: string, label: string): Promise<string> {
    const parsed = parseScorecardFile(text, label);
    if (!parsed.ok) return parsed.message;
    this.runs = [...this.runs, parsed.run].slice(-MAX_KEPT_RUNS);
    await this.#save();
    return `Imported the scorecard from ${label}.`;
  }

  async remove(id: string): Promise<void> {
    this.runs = this.runs.filter((run) => run.id !== id);
    await this.#save();
  }

  #tasks(groups: readonly TaskGroup[]): ScorecardTask[] {
    return this.taskSet.tasks.filter((task) => groups.includes(task.group));
  }

  async #runSide(
    run: ScorecardRun,
    side: ScorecardSide,
    runner: ScorecardSideRunner,
    tasks: readonly ScorecardTask[],
    options: StartOptions,
    signal: AbortSignal,
  ): Promise<void> {
    const began = performance.now();
    let lastError: string | undefined;
    let sameErrors = 0;
    let gaveUp: string | undefined;
    for (const task of tasks) {
      const base = { sideId: side.id, taskId: task.id, group: task.group, answer: '' };
      if (signal.aborted) {
        run.results.push({ ...base, status: 'not-run', why: 'Not run: the run was stopped.' });
        continue;
      }
      if (gaveUp) {
        run.results.push({ ...base, status: 'not-run', why: gaveUp });
        continue;
      }
      if (task.picture && !side.readsPictures) {
        run.results.push({ ...base, status: 'not-run', why: 'Not run: this side does not read pictures.' });
        continue;
      }
      const result = await this.#runTask(side, runner, task, options, signal);
      if (result.status === 'error' && result.errorName !== 'Aborted') {
        sameErrors = result.errorName === lastError ? sameErrors + 1 : 1;
        lastError = result.errorName;
        if (sameErrors >= SAME_ERROR_LIMIT) gaveUp = `Not run: ${result.errorName} ${SAME_ERROR_LIMIT} times in a row on this side (${result.why})`;
      } else {
        sameErrors = 0;
        lastError = undefined;
      }
      run.results.push(result);
      await this.#save();
    }
    side.wallMs = performance.now() - began;
  }

  async #runTask(
    side: ScorecardSide,
    runner: ScorecardSideRunner,
    task: ScorecardTask,
    options: StartOptions,
    signal: AbortSignal,
  ): Promise<TaskResult> {
    const base = { sideId: side.id, taskId: task.id, group: task.group };
    const cap = task.group === 'code' ? CODE_TOKEN_CAP : TASK_TOKEN_CAP;
    const maxTokens = Math.min(cap, options.maxTokens ?? cap);
    let answer;
    try {
      const images = task.picture ? [await this.#deps.drawPicture(task.picture)] : undefined;
      answer = await runner.answer({ prompt: task.prompt, images, maxTokens }, signal);
    } catch (error) {
      const name = signal.aborted ? 'Aborted' : errorName(error);
      const why = name === 'Aborted' ? 'Stopped before the answer ended.' : error instanceof Error ? error.message : String(error);
      return { ...base, status: name === 'Aborted' ? 'not-run' : 'error', answer: '', why, errorName: name };
    }
    const { text, incomplete, ...figures } = answer;
    const grade = await gradeAnswer(task, text, this.#deps.runCode);
    const why = incomplete ? `${grade.why} (The answer ended early: token cap or cut stream.)` : grade.why;
    return { ...base, ...figures, status: grade.pass ? 'pass' : 'fail', answer: text, why };
  }

  async #save(): Promise<void> {
    try {
      await this.#deps.storage.save($state.snapshot(this.runs));
      this.problem = undefined;
    } catch (error) {
      this.problem = `The scorecard could not be saved (${errorName(error)}); free some space in Storage. It stays on screen until the tab closes.`;
    }
  }
}
