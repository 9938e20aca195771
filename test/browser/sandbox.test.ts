// The code sandbox in real Chromium, under the built app's real CSP (the header policy and the page's <meta> policy
// with Trusted Types): the page starts the BUILT sandbox worker (assets/engine/code-sandbox.worker-*.js) itself and
// sends it the protocol's messages, so these runs go through the same script, wasm and policy the app uses. A tiny
// HTTP server on localhost is the bait for every network escape; it must see no request at all.
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxRequest, SandboxScriptResult, SandboxTest, SandboxTestsResult } from '../../common/sandbox-protocol';
import { APP_URL, useStack } from './harness';
import { reportFault } from './fault-report';

const DIST = path.resolve(process.env.TEST_DIST ?? 'dist');
const BAIT_PORT = Number(process.env.TEST_SANDBOX_BAIT_PORT ?? process.env.TEST_OPENAI_PORT ?? 8302);
const BAIT_URL = `http://127.0.0.1:${BAIT_PORT}/stolen`;
const LIMITS = { timeoutMs: 2_000, memoryBytes: 32 * 1024 * 1024 };
/** What the page client allows on top of a run's own limit before it terminates the worker (run-code.ts). */
const HARD_MARGIN_MS = 1_000;

function sandboxWorkerPath(): string {
  const folder = path.join(DIST, 'assets', 'engine');
  const file = readdirSync(folder).find((name) => /^code-sandbox\.worker-[\w-]+\.js$/.test(name));
  if (!file) throw new Error(`no code-sandbox.worker-*.js in ${folder}: nothing in the app imports src/lib/sandbox/run-code.ts yet`);
  return `/assets/engine/${file}`;
}

interface PageRun {
  /** Every message the worker posted, in order (only `started` and one `done` may come). */
  messages: { type: string; result?: SandboxTestsResult | SandboxScriptResult; message?: string }[];
  /** Set when the page had to terminate the worker at the hard limit. */
  killed: boolean;
  /** From the request to the answer (or the kill), measured in the page. */
  ms: number;
  /** Page timer ticks while the run went on, and the longest gap between them: is the page still responsive? */
  ticks: number;
  longestGapMs: number;
}

const stack = useStack({ webgpu: false, serviceWorkers: 'block' });
let workerPath = '';
const baitRequests: string[] = [];
let bait: Server | undefined;

beforeAll(async () => {
  workerPath = sandboxWorkerPath();
  bait = createServer((request, response) => {
    baitRequests.push(`${request.method ?? ''} ${request.url ?? ''}`);
    response.writeHead(200, { 'Access-Control-Allow-Origin': '*' }).end('stolen');
  });
  bait.on('upgrade', (request, socket) => {
    baitRequests.push(`upgrade ${request.url ?? ''}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => bait?.listen(BAIT_PORT, '127.0.0.1', resolve));
  await stack.session.page.goto(APP_URL);
  await stack.session.page.locator('#composer-input').waitFor();
});

afterAll(async () => {
  await new Promise<void>((resolve) => (bait ? bait.close(() => resolve()) : resolve()));
});

/** Starts the built worker in the app's page, sends one request, and collects what comes back. */
async function runInPage(request: SandboxRequest): Promise<PageRun> {
  // A string, not a function: the page must run exactly this text (no helpers from the test's transpiler).
  return stack.session.page.evaluate(`new Promise((resolve) => {
    const request = ${JSON.stringify(request)};
    const messages = [];
    let ticks = 0;
    let last = performance.now();
    let longestGapMs = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
      ticks += 1;
    }, 20);
    const began = performance.now();
    const worker = new Worker(${JSON.stringify(workerPath)}, { type: 'module' });
    let hard;
    const end = (killed) => {
      clearInterval(ticker);
      clearTimeout(hard);
      worker.terminate();
      resolve({ messages, killed, ms: Math.round(performance.now() - began), ticks, longestGapMs: Math.round(longestGapMs) });
    };
    hard = setTimeout(() => end(true), 20000);
    worker.onmessage = (event) => {
      messages.push(event.data);
      if (event.data && event.data.type === 'started') {
        clearTimeout(hard);
        hard = setTimeout(() => end(true), request.limits.timeoutMs + ${HARD_MARGIN_MS});
      }
      if (event.data && (event.data.type === 'done' || event.data.type === 'failed')) setTimeout(() => end(false), 100);
    };
    worker.onerror = (event) => { messages.push({ type: 'worker-error', message: event.message }); end(false); };
    worker.postMessage(request);
  })`) as Promise<PageRun>;
}

function resultOf<R extends SandboxTestsResult | SandboxScriptResult>(run: PageRun): R {
  const types = run.messages.map((message) => message.type);
  expect(types).toEqual(['started', 'done']);
  const result = run.messages[1]?.result;
  if (!result) throw new Error('the sandbox sent no result');
  return result as R;
}

const runTests = async (code: string, functionName: string, tests: SandboxTest[]) =>
  resultOf<SandboxTestsResult>(await runInPage({ type: 'run-tests', code, functionName, tests, limits: LIMITS }));
const runScript = async (code: string) => resultOf<SandboxScriptResult>(await runInPage({ type: 'run-script', code, limits: LIMITS }));

describe('the code sandbox in Chromium under the app CSP', () => {
  it('passes a right function, fails a wrong one with what it returned, and keeps console output', async () => {
    const tests = [
      { args: [[3, 1, 2]], expected: [1, 2, 3] },
      { args: [[]], expected: [] },
    ];
    const right = await runTests('function sortNumbers(list) { console.log("sorting", list.length); return [...list].sort((a, b) => a - b) }', 'sortNumbers', tests);
    expect(right.status).toBe('ok');
    expect(right.tests).toEqual([{ pass: true, actual: '[1,2,3]' }, { pass: true, actual: '[]' }]);
    expect(right.logs).toEqual(['sorting 3', 'sorting 0']);
    const wrong = await runTests('const sortNumbers = (list) => list.slice().reverse()', 'sortNumbers', tests);
    expect(wrong.tests).toEqual([{ pass: false, actual: '[2,1,3]' }, { pass: true, actual: '[]' }]);
    console.info(`[sandbox] a two-test run took ${right.ms} ms in the worker`);
  });

  it('blocks every way out: network, storage, the page and the worker global', async () => {
    const probes: Record<string, string> = {
      fetch: `fetch(${JSON.stringify(BAIT_URL)})`,
      XMLHttpRequest: `(() => { const x = new XMLHttpRequest(); x.open('GET', ${JSON.stringify(BAIT_URL)}); x.send(); })()`,
      WebSocket: `new WebSocket(${JSON.stringify(BAIT_URL.replace('http', 'ws'))})`,
      importScripts: `importScripts(${JSON.stringify(BAIT_URL)})`,
      indexedDB: `indexedDB.open('stolen')`,
      caches: `caches.open('stolen')`,
      localStorage: `localStorage.getItem('settings')`,
      selfPostMessage: `self.postMessage('escaped')`,
      parent: `globalThis.parent.postMessage('escaped', '*')`,
      top: `top.location.href`,
      navigator: `navigator.userAgent`,
      functionGlobal: `Function('return this')().postMessage('escaped')`,
      dynamicImport: `import(${JSON.stringify(BAIT_URL)})`,
    };
    const code = `(async () => {
      const out = {};
      const probes = { ${Object.entries(probes).map(([name, source]) => `${name}: () => ${source}`).join(',\n')} };
      for (const name of Object.keys(probes)) {
        try { await probes[name](); out[name] = 'reached'; } catch (error) { out[name] = String(error && error.message); }
      }
      return out;
    })()`;
    const run = await runInPage({ type: 'run-script', code, limits: LIMITS });
    const result = resultOf<SandboxScriptResult>(run);
    expect(result.status).toBe('ok');
    const outcome = JSON.parse(result.result ?? '{}') as Record<string, string>;
    console.info('[sandbox] escape attempts:', outcome);
    expect(Object.keys(outcome).sort()).toEqual(Object.keys(probes).sort());
    for (const [name, what] of Object.entries(outcome)) expect(what, name).not.toBe('reached');
    expect(outcome.dynamicImport).toMatch(/could not load module/);
    // Give a request that slipped out time to arrive before saying none did.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(baitRequests).toEqual([]);
    reportFault('sandboxed code tries fetch, XHR, WebSocket, importScripts, storage, the page, import()', 'each throws inside the sandbox; the answer is graded on what it returns', 'no request leaves; page and storage untouched');
  });

  it('kills an endless loop at the time limit', async () => {
    const run = await runInPage({ type: 'run-tests', code: 'function spin() { while (true) {} }', functionName: 'spin', tests: [{ args: [], expected: 1 }], limits: LIMITS });
    const result = resultOf<SandboxTestsResult>(run);
    console.info(`[sandbox] endless loop: status ${result.status} after ${result.ms} ms in the worker, ${run.ms} ms seen by the page (limit ${LIMITS.timeoutMs} ms)`);
    expect(run.killed).toBe(false);
    expect(result.status).toBe('timeout');
    expect(result.tests).toEqual([{ pass: false, error: `stopped at the time limit (${LIMITS.timeoutMs} ms)` }]);
    reportFault('an answer\u2019s code loops for ever', 'the test fails: stopped at the time limit', 'the other tests and the page');
  });

  it('stops a memory bomb at the memory limit while the page stays responsive', async () => {
    const bomb = 'function grow() { const parts = []; let i = 0; while (true) parts.push("part " + i++ + " of a growing list"); }';
    const run = await runInPage({ type: 'run-tests', code: bomb, functionName: 'grow', tests: [{ args: [], expected: 0 }], limits: LIMITS });
    const result = resultOf<SandboxTestsResult>(run);
    console.info(`[sandbox] memory bomb: status ${result.status} after ${result.ms} ms; page timer ticked ${run.ticks} times, longest gap ${run.longestGapMs} ms`);
    expect(result.status).toBe('memory');
    expect(result.error).toMatch(/out of memory/);
    expect(run.ticks).toBeGreaterThan(0);
    expect(await stack.session.page.evaluate('document.querySelector("#composer-input") !== null')).toBe(true);
    reportFault('an answer\u2019s code allocates without end', 'the run ends "memory": out of memory', 'the page (its timers kept running)');
  });

  it('allows a recursion 1,000 deep and stops a runaway one', async () => {
    const code = 'function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1) } function dive(n) { return dive(n + 1) + 1 }';
    const ordinary = await runTests(code, 'depth', [{ args: [1000], expected: 1000 }]);
    expect(ordinary.tests).toEqual([{ pass: true, actual: '1000' }]);
    const runaway = await runTests(code, 'dive', [{ args: [0], expected: 0 }]);
    console.info(`[sandbox] runaway recursion: status ${runaway.status}: ${runaway.tests[0]?.error ?? runaway.error ?? ''}`);
    // Either QuickJS's own check trips (that test fails, the run goes on) or the browser's native stack runs out
    // first (the interpreter is dropped and the run ends `error`); both name the stack, neither takes the page down.
    if (runaway.status === 'ok') expect(runaway.tests[0]?.error).toMatch(/stack overflow/);
    else expect(runaway).toMatchObject({ status: 'error', error: 'the interpreter ran out of stack (recursion too deep)' });
    expect(await stack.session.page.evaluate('1 + 1')).toBe(2);
  });

  it('keeps runs apart: one run’s globals are not in the next', async () => {
    const first = await runScript('globalThis.leak = 42; var leakedVar = 1; "set"');
    expect(first.result).toBe('"set"');
    const second = await runScript('[typeof leak, typeof leakedVar]');
    expect(second.result).toBe('["undefined","undefined"]');
  });

  it('ran under the policy with no violation', () => {
    expect(stack.session.pageErrors.filter((error) => /Content Security Policy|Trusted Type/i.test(error))).toEqual([]);
  });
});
