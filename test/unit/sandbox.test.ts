// The code sandbox's pure parts (value transport, equality, display, log caps), the QuickJS runner itself in node
// (the same wasm the worker loads in the browser), and the page client's two clocks with a scripted fake worker.
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SandboxRequest, SandboxResponse } from '../../common/sandbox-protocol';
import { createSandboxClient, HARD_LIMIT_MARGIN_MS, START_LIMIT_MS } from '../../src/lib/sandbox/run-code';
import { decodeValue, encodeValue, sameValue, showValue, Unsupported } from '../../workers/sandbox/js-values';
import { LogCapture, MAX_LOG_LINES } from '../../workers/sandbox/log-capture';
import { runScript, runTests } from '../../workers/sandbox/run-request';

describe('values across the boundary', () => {
  it('keeps what JSON loses: NaN, Infinity, -0, undefined, bigint', () => {
    const value = { a: NaN, b: -Infinity, c: -0, d: undefined, e: [1, undefined, 'x'], f: 12n };
    const back = decodeValue(encodeValue(value)) as Record<string, unknown>;
    expect(Number.isNaN(back.a)).toBe(true);
    expect(back.b).toBe(-Infinity);
    expect(Object.is(back.c, -0)).toBe(true);
    expect('d' in back && back.d === undefined).toBe(true);
    expect(back.e).toEqual([1, undefined, 'x']);
    expect(back.f).toBe(12n);
  });

  it('turns what is not JSON-like into Unsupported, shown by name', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const back = decodeValue(encodeValue({ map: new Map(), fn: () => 1, cyclic })) as Record<string, unknown>;
    expect(back.map).toEqual(new Unsupported('Map'));
    expect(back.fn).toEqual(new Unsupported('function'));
    expect(showValue(back)).toBe('{"map":[Map],"fn":[function],"cyclic":{"self":[circular]}}');
  });
});

describe('sameValue', () => {
  it('matches equal JSON-like values whatever the key order', () => {
    expect(sameValue({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1, gone: undefined }, { a: 1 })).toBe(true);
  });

  it('treats NaN as NaN, 0 as -0, and float noise as equal', () => {
    expect(sameValue(NaN, NaN)).toBe(true);
    expect(sameValue(-0, 0)).toBe(true);
    expect(sameValue(0.1 + 0.2, 0.3)).toBe(true);
    expect(sameValue(1, 1.0001)).toBe(false);
    expect(sameValue(Infinity, Infinity)).toBe(true);
    expect(sameValue(Infinity, -Infinity)).toBe(false);
  });

  it('is strict about types, lengths and extra keys', () => {
    expect(sameValue(1, '1')).toBe(false);
    expect(sameValue(null, undefined)).toBe(false);
    expect(sameValue([1, 2], [1, 2, 3])).toBe(false);
    expect(sameValue({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameValue([1], { 0: 1 })).toBe(false);
    expect(sameValue(new Unsupported('Map'), new Unsupported('Map'))).toBe(false);
  });

  it('shows values as JSON-ish text, capped', () => {
    expect(showValue([NaN, -0, undefined, 'a', 3n])).toBe('[NaN,-0,undefined,"a",3n]');
    expect(showValue('x'.repeat(50), 10)).toBe('"xxxxxxxxx… (52 characters)');
  });
});

describe('LogCapture', () => {
  it('joins arguments, marks errors, and counts what it drops past the cap', () => {
    const logs = new LogCapture();
    logs.add('log', ['sum', 3, { a: [1] }]);
    logs.add('error', ['bad']);
    for (let index = 0; index < MAX_LOG_LINES + 5; index += 1) logs.add('log', [index]);
    const lines = logs.lines();
    expect(lines[0]).toBe('sum 3 {"a":[1]}');
    expect(lines[1]).toBe('[error] bad');
    expect(lines).toHaveLength(MAX_LOG_LINES + 1);
    expect(lines.at(-1)).toBe('… 7 more console lines not kept');
  });
});

describe('the QuickJS runner (node)', () => {
  let quickjs: QuickJSWASMModule;
  beforeAll(async () => {
    quickjs = await newQuickJSWASMModuleFromVariant(variant);
  });
  const limits = { timeoutMs: 1_000, memoryBytes: 16 * 1024 * 1024 };
  const tests = [
    { args: [2, 3], expected: 5 },
    { args: [-1, 1], expected: 0 },
  ];
  const run = (code: string, functionName = 'add', cases = tests) =>
    runTests(quickjs, { type: 'run-tests', code, functionName, tests: cases, limits });

  it('passes a right function and shows a wrong one’s actual values', () => {
    expect(run('function add(a, b) { return a + b }')).toMatchObject({ status: 'ok', tests: [{ pass: true, actual: '5' }, { pass: true, actual: '0' }] });
    expect(run('const add = (a, b) => a * b').tests).toEqual([{ pass: false, actual: '6' }, { pass: false, actual: '-1' }]);
  });

  it('finds ES module exports, CommonJS exports and async functions', () => {
    expect(run('export function add(a, b) { return a + b }').tests.map((test) => test.pass)).toEqual([true, true]);
    expect(run('module.exports = { add: (a, b) => a + b }').tests.map((test) => test.pass)).toEqual([true, true]);
    expect(run('async function add(a, b) { await null; return a + b }').tests.map((test) => test.pass)).toEqual([true, true]);
  });

  it('reports a throw per test, a missing function, and code that does not parse', () => {
    const thrown = run('function add(a) { if (a < 0) throw new RangeError("negative"); return 5 }');
    expect(thrown.tests).toEqual([{ pass: true, actual: '5' }, { pass: false, error: 'RangeError: negative' }]);
    expect(run('function sum() {}').tests[0]).toEqual({ pass: false, error: 'add is not defined' });
    expect(run('function add( {')).toMatchObject({ status: 'error', tests: [] });
    expect(run('function add( {').error).toMatch(/^the code did not run: SyntaxError/);
  });

  it('captures console output', () => {
    const result = run('function add(a, b) { console.log("adding", a, b); console.error({ a }); return a + b }');
    expect(result.logs).toEqual(['adding 2 3', '[error] {"a":2}', 'adding -1 1', '[error] {"a":-1}']);
  });

  it('stops an endless loop at the deadline and a memory bomb at the limit', () => {
    const loop = run('function add() { while (true) {} }');
    expect(loop.status).toBe('timeout');
    expect(loop.tests).toEqual([{ pass: false, error: 'stopped at the time limit (1000 ms)' }]);
    console.info(`[sandbox] endless loop stopped after ${loop.ms} ms (limit ${limits.timeoutMs} ms)`);
    const bomb = run('function add() { const a = []; let i = 0; while (true) a.push("item " + i++) }');
    expect(bomb.status).toBe('memory');
    const deep = run('function add(n) { return add(n + 1) + 1 }');
    expect(deep.status).toBe('ok');
    expect(deep.tests[0]?.error).toMatch(/stack overflow/);
  });

  it('has no way out: no network, storage, timers or host global', () => {
    const probe = `[typeof fetch, typeof XMLHttpRequest, typeof WebSocket, typeof importScripts, typeof indexedDB,
      typeof caches, typeof localStorage, typeof postMessage, typeof navigator, typeof setTimeout,
      typeof Function('return this')().postMessage]`;
    expect(runScript(quickjs, { type: 'run-script', code: probe, limits }).result).toBe(`[${Array(11).fill('"undefined"').join(',')}]`);
    const imported = runScript(quickjs, { type: 'run-script', code: 'import("http://127.0.0.1:1/x.js")', limits });
    expect(imported.error).toMatch(/could not load module/);
  });

  it('gives a script its last value, awaited, with its logs', () => {
    const result = runScript(quickjs, { type: 'run-script', code: 'console.log("hi"); (async () => ({ n: 0 / 0, list: [1, 2] }))()', limits });
    expect(result).toMatchObject({ status: 'ok', result: '{"n":NaN,"list":[1,2]}', logs: ['hi'] });
    expect(runScript(quickjs, { type: 'run-script', code: 'new Promise(() => {})', limits }).error).toMatch(/never settled/);
  });
});

/** A worker the test scripts: it records what it was sent and whether it was terminated. */
class FakeWorker extends EventTarget {
  sent: SandboxRequest[] = [];
  terminated = false;
  postMessage(request: SandboxRequest): void {
    this.sent.push(request);
  }
  terminate(): void {
    this.terminated = true;
  }
  answer(message: SandboxResponse): void {
    this.dispatchEvent(new MessageEvent('message', { data: message }));
  }
}

describe('the page client', () => {
  const setup = () => {
    const worker = new FakeWorker();
    const timers: { ms: number; fire: () => void; cancelled: boolean }[] = [];
    const client = createSandboxClient({
      createWorker: () => worker as unknown as Worker,
      timer: (fire, ms) => {
        const entry = { ms, fire, cancelled: false };
        timers.push(entry);
        return () => {
          entry.cancelled = true;
        };
      },
    });
    return { worker, timers, client };
  };

  it('sends one request, resolves the answer and terminates the worker', async () => {
    const { worker, client } = setup();
    const pending = client.runCode('function f() {}', 'f', [{ args: [], expected: null }], 500);
    expect(worker.sent).toEqual([{ type: 'run-tests', code: 'function f() {}', functionName: 'f', tests: [{ args: [], expected: null }], limits: { timeoutMs: 500, memoryBytes: 32 * 1024 * 1024 } }]);
    worker.answer({ type: 'started' });
    worker.answer({ type: 'done', result: { status: 'ok', tests: [{ pass: false, actual: 'undefined' }], logs: [], ms: 3 } });
    expect(await pending).toEqual({ status: 'ok', tests: [{ pass: false, actual: 'undefined' }], logs: [], ms: 3 });
    expect(worker.terminated).toBe(true);
  });

  it('terminates a worker that outlives its time limit and says timeout', async () => {
    const { worker, timers, client } = setup();
    const pending = client.runScript('while (true) {}', { timeoutMs: 500 });
    worker.answer({ type: 'started' });
    const hard = timers.at(-1);
    expect(timers[0]?.cancelled).toBe(true);
    expect(hard?.ms).toBe(500 + HARD_LIMIT_MARGIN_MS);
    hard?.fire();
    const result = await pending;
    expect(result.status).toBe('timeout');
    expect(result.error).toMatch(/time limit \(500 ms\)/);
    expect(worker.terminated).toBe(true);
  });

  it('says what to do when the worker never starts or fails to load', async () => {
    const silent = setup();
    const never = silent.client.runCode('', 'f', [], 500);
    expect(silent.timers[0]?.ms).toBe(START_LIMIT_MS);
    silent.timers[0]?.fire();
    expect(await never).toMatchObject({ status: 'error', tests: [] });
    expect((await never).error).toMatch(/could not start: reload the page.*did not start within/);
    const broken = setup();
    const failed = broken.client.runCode('', 'f', [], 500);
    // A script that failed to load gives an error event with no message (node has no ErrorEvent).
    broken.worker.dispatchEvent(new Event('error'));
    expect((await failed).error).toMatch(/wasm-unsafe-eval.*its script did not load/);
    expect(broken.worker.terminated).toBe(true);
  });
});
