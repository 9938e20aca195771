// The code grader: takes the JavaScript out of an answer (the fenced block that defines the asked function, else
// the first js/javascript fence, else the bare answer), has the sandbox run it with the task's tests, and reads the
// result as a sentence. Only the sandbox runs the code; this file never evaluates it.
import type { Grade, RunCode, SandboxResult } from '../types';

const FENCE = /```([a-zA-Z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g;
const JS_LANGUAGES = new Set(['', 'js', 'javascript', 'jsx', 'mjs', 'ts', 'typescript']);

/** How long the tests of one answer may run in the sandbox. */
export const CODE_TIME_LIMIT_MS = 2000;

/** The code of an answer, as the module comment says; '' when it has none. */
export function extractCode(answer: string, functionName: string): string {
  const blocks = [...answer.matchAll(FENCE)].map((match) => ({ language: (match[1] ?? '').toLowerCase(), code: match[2] ?? '' }));
  const definesIt = new RegExp(`\\b${functionName}\\b`);
  const chosen =
    blocks.find((block) => JS_LANGUAGES.has(block.language) && definesIt.test(block.code)) ??
    blocks.find((block) => JS_LANGUAGES.has(block.language) && block.language !== '');
  if (chosen) return chosen.code.trim();
  return blocks.length === 0 ? answer.trim() : '';
}

function shortValue(text: string | undefined): string {
  if (text === undefined) return 'nothing';
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** What a sandbox result means for the answer, as one sentence. */
export function gradeSandboxResult(result: SandboxResult, tests: readonly { args: unknown[]; expected: unknown }[], functionName: string): Grade {
  if (result.status === 'timeout') return { pass: false, why: `Stopped after ${(result.ms / 1000).toFixed(1)} s: the code did not finish (an endless loop?).` };
  if (result.status === 'memory') return { pass: false, why: 'Stopped: the code used more memory than the sandbox allows.' };
  if (result.status === 'error') return { pass: false, why: `The code did not run: ${result.error ?? 'unknown error'}.` };
  const passed = result.tests.filter((test) => test.pass).length;
  if (passed === tests.length && tests.length > 0) return { pass: true, why: `All ${tests.length} tests passed.` };
  const index = result.tests.findIndex((test) => !test.pass);
  const failed = result.tests[index];
  const test = tests[index];
  const call = test ? `${functionName}(${test.args.map((arg) => JSON.stringify(arg)).join(', ')})` : functionName;
  const detail = failed?.error
    ? `${call} threw ${shortValue(failed.error)}`
    : `${call} returned ${shortValue(failed?.actual)}, expected ${shortValue(JSON.stringify(test?.expected))}`;
  return { pass: false, why: `${passed} of ${tests.length} tests passed; ${detail}.` };
}

export async function gradeCode(
  spec: { functionName: string; tests: { args: unknown[]; expected: unknown }[] },
  answer: string,
  runCode: RunCode,
): Promise<Grade> {
  const code = extractCode(answer, spec.functionName);
  if (code === '') return { pass: false, why: 'No JavaScript code found in the answer.' };
  if (!new RegExp(`\\b${spec.functionName}\\b`).test(code)) return { pass: false, why: `The code does not define ${spec.functionName}.` };
  const result = await runCode(code, spec.functionName, spec.tests, CODE_TIME_LIMIT_MS);
  return gradeSandboxResult(result, spec.tests, spec.functionName);
}
