// The scorecard's shared shapes: the versioned task set, what a grader decides, what the code sandbox returns, and
// the results of a run as kept and exported. Types only, so the task set, the graders, the sandbox client, the run
// state and the views can share them without importing each other.
import type { ImagePart } from '../../../common/protocol';

export type TaskGroup = 'arithmetic' | 'code' | 'instructions' | 'multilingual' | 'pictures';

/** A picture the app draws itself (canvas), so its right answer is known; see scorecard/pictures.ts. */
export type PictureSpec =
  | { kind: 'shapes'; shape: 'circle' | 'square' | 'triangle'; colour: string; count: number; seed: number }
  | { kind: 'digits'; text: string }
  | { kind: 'bars'; values: number[]; labels: string[] };

/** How an answer is checked; every grader is a pure function of (spec, answer), code's after the sandbox ran. */
export type GraderSpec =
  | { kind: 'number'; answer: number; tolerance?: number }
  | { kind: 'text'; answers: string[] }
  | { kind: 'code'; functionName: string; tests: { args: unknown[]; expected: unknown }[] }
  | { kind: 'json-schema'; schema: Record<string, unknown> }
  | { kind: 'bullets'; count: number }
  | { kind: 'words'; mustInclude?: string[]; mustExclude?: string[]; maxWords?: number }
  | { kind: 'language'; script: ScriptName; answers?: string[] };

export type ScriptName = 'Latin' | 'Han' | 'Hiragana' | 'Katakana' | 'Hangul' | 'Cyrillic' | 'Arabic' | 'Devanagari' | 'Greek';

export interface ScorecardTask {
  /** Stable across versions of the set: results are matched by it. */
  id: string;
  group: TaskGroup;
  prompt: string;
  picture?: PictureSpec;
  grader: GraderSpec;
  /** An answer that passes: the tests check every task against it, and the results view shows it after a fail. */
  reference: string;
}

export interface TaskSet {
  id: string;
  version: number;
  tasks: readonly ScorecardTask[];
}

export interface Grade {
  pass: boolean;
  /** One sentence a user reads: why the grader decided so ("expected 42, found 41"). */
  why: string;
}

/** What the code sandbox returns for one run of a piece of code with its tests. */
export interface SandboxResult {
  /** `ok` ran to its end (tests may still fail); `timeout` was killed at the time limit; `error` did not run. */
  status: 'ok' | 'timeout' | 'error' | 'memory';
  /** One entry per test, in order, when status is `ok`. */
  tests: { pass: boolean; actual?: string; error?: string }[];
  /** console output, capped. */
  logs: string[];
  error?: string;
  ms: number;
}

/** Runs `code` then calls `functionName` with each test's args in the sandbox. */
export type RunCode = (
  code: string,
  functionName: string,
  tests: { args: unknown[]; expected: unknown }[],
  timeoutMs: number,
) => Promise<SandboxResult>;

export type PictureImage = ImagePart;
