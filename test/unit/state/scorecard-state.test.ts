// The scorecard run with scripted sides: sides in parallel and graded as answers come; one side failing leaves the
// others alone; the same error three times in a row ends that side; pictures only where they are read; Stop; token
// caps; saved after each result; imported runs kept beside.
import { describe, expect, it } from 'vitest';
import type { ScorecardRun, ScorecardSide } from '../../../src/lib/scorecard/run-record';
import type { AnswerRequest, ScorecardSideRunner, SideAnswer } from '../../../src/lib/scorecard/side-runner';
import type { ScorecardTask, TaskSet } from '../../../src/lib/scorecard/types';
import { scorecardToJson } from '../../../src/lib/scorecard/exchange';
import { CODE_TOKEN_CAP, ScorecardState, TASK_TOKEN_CAP } from '../../../src/lib/state/scorecard.svelte';

const number = (id: string, answer: number): ScorecardTask => ({ id: `arithmetic-${id}`, group: 'arithmetic', prompt: `q ${id}`, grader: { kind: 'number', answer }, reference: String(answer) });
const TASKS: ScorecardTask[] = [
  number('a', 1),
  number('b', 2),
  number('c', 3),
  number('d', 4),
  { id: 'pictures-x', group: 'pictures', prompt: 'count', picture: { kind: 'digits', text: '7' }, grader: { kind: 'number', answer: 7 }, reference: '7' },
  { id: 'code-f', group: 'code', prompt: 'write f', grader: { kind: 'code', functionName: 'f', tests: [{ args: [], expected: 1 }] }, reference: 'function f() { return 1 }' },
];
const SET: TaskSet = { id: 'test-set', version: 3, tasks: TASKS };
const ALL_GROUPS = ['arithmetic', 'pictures', 'code'] as const;

function side(id: string, readsPictures = false): ScorecardSide {
  return { id, kind: id === 'local' ? 'local' : 'remote', name: id, model: `${id}-model`, licence: 'Apache-2.0', readsPictures };
}

/** Answers by a function of the request; records what it was asked. */
class ScriptedSide implements ScorecardSideRunner {
  readonly asked: AnswerRequest[] = [];
  constructor(
    readonly side: ScorecardSide,
    private readonly reply: (request: AnswerRequest, signal: AbortSignal) => Promise<SideAnswer>,
  ) {}
  answer(request: AnswerRequest, signal: AbortSignal): Promise<SideAnswer> {
    this.asked.push(request);
    return this.reply(request, signal);
  }
}

const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

function makeState(saved: ScorecardRun[][] = []): ScorecardState {
  return new ScorecardState({
    taskSet: SET,
    runCode: async (code) => ({ status: 'ok', tests: [{ pass: code.includes('return 1') }], logs: [], ms: 1 }),
    drawPicture: async () => ({ dataUrl: 'data:image/png;base64,AAAA', width: 8, height: 8 }),
    storage: { load: async () => undefined, save: async (runs) => void saved.push(structuredClone(runs)) },
    device: () => ({ browser: 'Test 1' }),
  });
}

const rightAnswer = async (request: AnswerRequest): Promise<SideAnswer> => ({
  text: request.prompt === 'write f' ? '```js\nfunction f() { return 1 }\n```' : request.prompt === 'count' ? '7' : String(' abcd'.indexOf(request.prompt.slice(-1))),
  outputTokens: 3,
  timeToFirstTokenMs: 10,
});

describe('ScorecardState', () => {
  it('grades every task on every side; pictures only where read; caps the tokens', async () => {
    const saved: ScorecardRun[][] = [];
    const state = makeState(saved);
    const local = new ScriptedSide(side('local'), rightAnswer);
    const remote = new ScriptedSide(side('gpt', true), async (request) => ({ text: request.prompt === 'q b' ? '5' : (await rightAnswer(request)).text, costUsd: 0.001 }));
    const run = await state.start([local, remote], { groups: ALL_GROUPS, maxTokens: 300 });
    if (!run) throw new Error('no run');
    expect(run.status).toBe('done');
    const statusOf = (sideId: string) => run.results.filter((result) => result.sideId === sideId).map((result) => `${result.taskId}:${result.status}`);
    expect(statusOf('local')).toEqual(['arithmetic-a:pass', 'arithmetic-b:pass', 'arithmetic-c:pass', 'arithmetic-d:pass', 'pictures-x:not-run', 'code-f:pass']);
    expect(statusOf('gpt')).toEqual(['arithmetic-a:pass', 'arithmetic-b:fail', 'arithmetic-c:pass', 'arithmetic-d:pass', 'pictures-x:pass', 'code-f:pass']);
    expect(run.results.find((result) => result.sideId === 'gpt' && result.taskId === 'arithmetic-b')?.why).toMatch(/2/);
    expect(local.asked.some((request) => request.images)).toBe(false);
    expect(remote.asked.find((request) => request.prompt === 'count')?.images).toHaveLength(1);
    expect(local.asked.find((request) => request.prompt === 'q a')?.maxTokens).toBe(TASK_TOKEN_CAP);
    expect(local.asked.find((request) => request.prompt === 'write f')?.maxTokens).toBe(300);
    expect(CODE_TOKEN_CAP).toBeGreaterThan(300);
    expect(run.taskSet).toEqual({ id: 'test-set', version: 3 });
    expect(saved.at(-1)?.[0]?.results).toHaveLength(12);
    expect(saved.length).toBeGreaterThan(12);
  });

  it('one side failing leaves the other alone; the same error three times ends that side', async () => {
    const state = makeState();
    const broken = new ScriptedSide(side('down'), async () => {
      throw named('RemoteNetwork', 'Could not reach localhost:1.');
    });
    const fine = new ScriptedSide(side('local'), rightAnswer);
    const run = await state.start([broken, fine], { groups: ['arithmetic'] });
    const down = run?.results.filter((result) => result.sideId === 'down') ?? [];
    expect(down.map((result) => result.status)).toEqual(['error', 'error', 'error', 'not-run']);
    expect(down[0]).toMatchObject({ errorName: 'RemoteNetwork', why: 'Could not reach localhost:1.' });
    expect(down[3]?.why).toMatch(/RemoteNetwork 3 times in a row/);
    expect(broken.asked).toHaveLength(3);
    expect(run?.results.filter((result) => result.sideId === 'local').every((result) => result.status === 'pass')).toBe(true);
  });

  it('Stop ends every side; what was not reached is not run', async () => {
    const state = makeState();
    let release: () => void = () => undefined;
    const waiting = new ScriptedSide(side('slow'), (request, signal) =>
      request.prompt === 'q b'
        ? new Promise((_resolve, reject) => {
            release = () => reject(named('Aborted', 'stopped'));
            signal.addEventListener('abort', () => release());
          })
        : rightAnswer(request),
    );
    const started = state.start([waiting], { groups: ['arithmetic'] });
    await expect.poll(() => waiting.asked.length).toBe(2);
    expect(state.progress).toEqual({ done: 1, total: 4 });
    state.stop();
    const run = await started;
    expect(run?.status).toBe('stopped');
    expect(run?.results.map((result) => result.status)).toEqual(['pass', 'not-run', 'not-run', 'not-run']);
    expect(state.running).toBeUndefined();
  });

  it('imports an exported run beside this one, and names what is wrong with a bad file', async () => {
    const state = makeState();
    const run = await state.start([new ScriptedSide(side('local'), rightAnswer)], { groups: ['arithmetic'] });
    if (!run) throw new Error('no run');
    expect(await state.importFile(scorecardToJson(run), 'laptop.json')).toMatch(/Imported/);
    expect(state.runs).toHaveLength(2);
    expect(state.runs[1]?.importedFrom?.label).toBe('laptop.json');
    expect(await state.importFile('{"format":"qwen-webgpu-chat/scorecard","version":1,"run":{}}', 'bad.json')).toMatch(/run\.\w+/);
    expect(state.runs).toHaveLength(2);
  });
});
