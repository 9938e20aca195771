// The messages between the page (src/lib/sandbox/run-code.ts) and the code sandbox worker
// (workers/sandbox/code-sandbox.worker.ts). Types only. One worker serves one request: the page sends it, the worker
// answers `started` once QuickJS is loaded (the page's hard time limit starts then, not during the wasm download),
// then exactly one `done` or `failed`, and the page terminates it.
// The shapes here match src/lib/scorecard/types.ts's SandboxResult structurally; common/ cannot import from src/.

export interface SandboxLimits {
  /** Budget for the whole run (the code and every test), checked by QuickJS's interrupt handler. */
  timeoutMs: number;
  /** QuickJS's malloc limit for the run. */
  memoryBytes: number;
}

export interface SandboxTest {
  args: unknown[];
  expected: unknown;
}

export type SandboxRequest =
  | { type: 'run-tests'; code: string; functionName: string; tests: SandboxTest[]; limits: SandboxLimits }
  | { type: 'run-script'; code: string; limits: SandboxLimits };

export type SandboxStatus = 'ok' | 'timeout' | 'error' | 'memory';

export interface SandboxTestOutcome {
  pass: boolean;
  /** What the function returned, as JSON-ish text (NaN, -0, undefined kept), capped. */
  actual?: string;
  /** What it threw, or why it could not be called. */
  error?: string;
}

export interface SandboxTestsResult {
  status: SandboxStatus;
  tests: SandboxTestOutcome[];
  logs: string[];
  error?: string;
  ms: number;
}

export interface SandboxScriptResult {
  status: SandboxStatus;
  /** The last expression's value (awaited when it is a promise), as JSON-ish text, capped. */
  result?: string;
  logs: string[];
  error?: string;
  ms: number;
}

export type SandboxResponse =
  | { type: 'started' }
  | { type: 'done'; result: SandboxTestsResult | SandboxScriptResult }
  | { type: 'failed'; message: string };
