// The task set itself: big enough, ids stable and unique, and every task's reference answer passes its own grader
// while a wrong answer fails it. Code references run in the real QuickJS sandbox (the same wasm as the worker).
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeAnswer } from '../../src/lib/scorecard/grade';
import { TASK_GROUPS } from '../../src/lib/scorecard/run-record';
import { TASK_SET } from '../../src/lib/scorecard/tasks';
import type { RunCode } from '../../src/lib/scorecard/types';
import { runTests } from '../../workers/sandbox/run-request';

let quickjs: QuickJSWASMModule;
beforeAll(async () => {
  quickjs = await newQuickJSWASMModuleFromVariant(variant);
});

const runCode: RunCode = async (code, functionName, tests, timeoutMs) =>
  runTests(quickjs, { type: 'run-tests', code, functionName, tests, limits: { timeoutMs, memoryBytes: 32 * 1024 * 1024 } });

/** An answer no task accepts: wrong number, wrong language, no code, no JSON, one line. */
const WRONG = 'I am not sure.';
/** Tasks whose constraints the generic wrong answer happens to meet get a wrong answer of their own. */
const WRONG_FOR: Record<string, string> = {
  'instructions-must-exclude': 'The sky is a deep blue on a clear day.',
  'instructions-word-limit': 'A computer is an electronic machine that stores, retrieves and processes data following a program of instructions.',
};

describe('the scorecard task set', () => {
  it('has at least 40 tasks in every group, with unique ids', () => {
    expect(TASK_SET.tasks.length).toBeGreaterThanOrEqual(40);
    const ids = TASK_SET.tasks.map((task) => task.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const group of TASK_GROUPS) expect(TASK_SET.tasks.filter((task) => task.group === group).length).toBeGreaterThanOrEqual(5);
    for (const task of TASK_SET.tasks) expect(task.id.startsWith(`${task.group}-`)).toBe(true);
  });

  it('gives a picture to picture tasks only', () => {
    for (const task of TASK_SET.tasks) expect(task.picture !== undefined).toBe(task.group === 'pictures');
  });

  it.each(TASK_SET.tasks.map((task) => [task.id, task] as const))('%s: its reference passes and a wrong answer fails', async (_id, task) => {
    const right = await gradeAnswer(task, task.reference, runCode);
    expect(right, right.why).toMatchObject({ pass: true });
    const wrong = await gradeAnswer(task, WRONG_FOR[task.id] ?? WRONG, runCode);
    expect(wrong.pass).toBe(false);
    expect(wrong.why.length).toBeGreaterThan(0);
  });

  it('passes a reference behind reasoning and fails it with the reasoning alone', async () => {
    const task = TASK_SET.tasks.find((candidate) => candidate.grader.kind === 'number');
    if (!task) throw new Error('no number task');
    expect((await gradeAnswer(task, `<think>Let me work it out.</think>\n${task.reference}`, runCode)).pass).toBe(true);
    expect((await gradeAnswer(task, `<think>${task.reference}</think>\nNo idea.`, runCode)).pass).toBe(false);
  });
});
