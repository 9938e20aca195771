// One sandbox request from start to result: a fresh SandboxVm, the code, then each test (or the script's value),
// shaped as the page expects. A run stops at the first timeout, memory failure or broken interpreter; the test it
// stopped on is reported failed with the reason, later ones are left out.
import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import type {
  SandboxRequest,
  SandboxScriptResult,
  SandboxStatus,
  SandboxTestOutcome,
  SandboxTestsResult,
} from '../../common/sandbox-protocol';
import { sameValue, showValue } from './js-values';
import { LogCapture } from './log-capture';
import { SandboxVm, type Outcome } from './quickjs-vm';

type Failure = Exclude<Outcome, { kind: 'value' }>;

/** The run's status and the user's sentence for an outcome that ended it (undefined: the run goes on). */
export function endingOf(outcome: Failure, limitMs: number): { status: SandboxStatus; error: string } | undefined {
  switch (outcome.kind) {
    case 'timeout':
      return { status: 'timeout', error: `stopped at the time limit (${limitMs} ms)` };
    case 'memory':
      return { status: 'memory', error: outcome.message };
    case 'broken':
      return { status: 'error', error: outcome.message };
    case 'threw':
      return undefined;
  }
}

const elapsed = (since: number): number => Math.round(performance.now() - since);

export function runTests(quickjs: QuickJSWASMModule, request: Extract<SandboxRequest, { type: 'run-tests' }>): SandboxTestsResult {
  const began = performance.now();
  const logs = new LogCapture();
  const vm = new SandboxVm(quickjs, request.limits, logs);
  try {
    const loaded = vm.load(request.code);
    if (loaded.kind !== 'value') {
      const ending = endingOf(loaded, request.limits.timeoutMs);
      const error = loaded.kind === 'threw' ? `the code did not run: ${loaded.message}` : (ending?.error ?? 'the code did not run');
      return { status: ending?.status ?? 'error', tests: [], logs: logs.lines(), error, ms: elapsed(began) };
    }
    const tests: SandboxTestOutcome[] = [];
    for (const test of request.tests) {
      const outcome = vm.call(request.functionName, test.args);
      if (outcome.kind === 'value') {
        tests.push({ pass: sameValue(outcome.value, test.expected), actual: showValue(outcome.value) });
        continue;
      }
      const ending = endingOf(outcome, request.limits.timeoutMs);
      if (ending === undefined) {
        tests.push({ pass: false, error: outcome.kind === 'threw' ? outcome.message : 'failed' });
        continue;
      }
      tests.push({ pass: false, error: ending.error });
      return { status: ending.status, tests, logs: logs.lines(), error: ending.error, ms: elapsed(began) };
    }
    return { status: 'ok', tests, logs: logs.lines(), ms: elapsed(began) };
  } finally {
    vm.dispose();
  }
}

export function runScript(quickjs: QuickJSWASMModule, request: Extract<SandboxRequest, { type: 'run-script' }>): SandboxScriptResult {
  const began = performance.now();
  const logs = new LogCapture();
  const vm = new SandboxVm(quickjs, request.limits, logs);
  try {
    const outcome = vm.evaluate(request.code);
    if (outcome.kind === 'value') return { status: 'ok', result: showValue(outcome.value), logs: logs.lines(), ms: elapsed(began) };
    const ending = endingOf(outcome, request.limits.timeoutMs);
    // A script that throws ran: its error is its result, as a console would show it.
    if (ending === undefined) return { status: 'ok', logs: logs.lines(), error: outcome.kind === 'threw' ? outcome.message : 'failed', ms: elapsed(began) };
    return { status: ending.status, logs: logs.lines(), error: ending.error, ms: elapsed(began) };
  } finally {
    vm.dispose();
  }
}

export function runRequest(quickjs: QuickJSWASMModule, request: SandboxRequest): SandboxTestsResult | SandboxScriptResult {
  return request.type === 'run-tests' ? runTests(quickjs, request) : runScript(quickjs, request);
}
