// Where the API key goes, in the built app in real Chromium with its service worker on: a recognisable key is set,
// compared turns are sent (answered, and refused with 401), with "remember on this device" off and then on. Then
// everything the page can leave behind is scanned for the key, raw, URL-encoded and base64: every console message
// (page, engine worker, service worker), IndexedDB (all databases, all stores, keys and values, Blobs read),
// localStorage, sessionStorage, Cache Storage (all caches: URLs, and bodies of text responses), and every request
// the context saw (page, workers): URL, headers and body.
// What must hold: the key appears only in the Authorization header of requests to the endpoint's origin; never in a
// URL, a body, another host (model mirror, app server) or the console; in storage only while "remember" is ticked,
// and then in exactly one place, the `v1:remote-api-key:openai` record (the first side's) of IndexedDB `qwen-chat-app` / `data`.
// Each scanner is first shown to find a planted canary, so a scan that reads nothing cannot pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleMessage, Page, Request, Worker } from 'playwright-core';
import { startMockOpenAI, type MockOpenAI } from '../fixtures/mock-openai';
import { TINY_REPO } from '../fixtures/paths';
import { reportFault } from './fault-report';
import { APP_URL, openCompareSettings, sendMessage, useStack, useTinyModel, waitForModelReady } from './harness';

const stack = useStack({ webgpu: true, mirror: true, serviceWorkers: 'allow' });

const API_KEY = 'sk-proj-FAULTKEY-9f3Q7zX2mL5vR8tW';
const OPENAI_PORT = Number(process.env.TEST_OPENAI_PORT ?? 8091);
/** Where "remember" keeps the key: idb-keyval's store of the app (src/lib/storage.ts). */
const REMEMBERED_AT = 'indexedDB qwen-chat-app/data/v1:remote-api-key:openai';

/** The key as it could leak: as is, URL-encoded, base64 (an `Authorization: Basic`-style mistake). */
function variants(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')])];
}

let mock: MockOpenAI;
const requests: { request: Request; headers: Promise<Record<string, string>> }[] = [];
const consoleLines: string[] = [];

async function consoleText(message: ConsoleMessage): Promise<string> {
  const args = await Promise.all(message.args().map((arg) => arg.jsonValue().then((value: unknown) => JSON.stringify(value) ?? '', () => '')));
  return [message.text(), ...args].join(' ');
}

function listenToConsole(source: { on(event: 'console', listener: (message: ConsoleMessage) => void): unknown }): void {
  source.on('console', (message) => {
    consoleText(message).then((text) => consoleLines.push(text), () => consoleLines.push(message.text()));
  });
}

beforeAll(async () => {
  mock = await startMockOpenAI({ port: OPENAI_PORT, expectedKey: API_KEY });
  const { context, page } = stack.session;
  context.on('request', (request) => requests.push({ request, headers: request.allHeaders().catch(() => request.headers()) }));
  listenToConsole(context);
  const watchWorker = (worker: Worker): void => listenToConsole(worker);
  page.on('worker', watchWorker);
  context.on('serviceworker', watchWorker);
  for (const worker of context.serviceWorkers()) watchWorker(worker);
});

afterAll(async () => {
  await mock?.close();
});

/** Every place in the page's storage that holds one of `needles`, as "kind name/…/key" strings. */
async function storageHolding(page: Page, needles: string[]): Promise<string[]> {
  return page.evaluate(async (needles) => {
    const places: string[] = [];
    const holds = (text: string): boolean => needles.some((needle) => text.includes(needle));
    const latin1 = new TextDecoder('latin1');
    const serialise = async (value: unknown): Promise<string> => {
      if (value instanceof Blob) return latin1.decode(await value.arrayBuffer());
      if (value instanceof ArrayBuffer) return latin1.decode(value);
      if (ArrayBuffer.isView(value)) return latin1.decode(value);
      if (Array.isArray(value)) return (await Promise.all(value.map(serialise))).join('\n');
      if (typeof value === 'object' && value !== null) {
        const parts = await Promise.all(Object.entries(value).map(async ([key, item]) => `${key}=${await serialise(item)}`));
        return parts.join('\n');
      }
      return String(value);
    };
    for (const [kind, area] of [['localStorage', localStorage], ['sessionStorage', sessionStorage]] as const) {
      for (let index = 0; index < area.length; index++) {
        const key = area.key(index) ?? '';
        if (holds(key) || holds(area.getItem(key) ?? '')) places.push(`${kind} ${key}`);
      }
    }
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name ?? '');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const storeName of Array.from(db.objectStoreNames)) {
        const [keys, values] = await new Promise<[IDBValidKey[], unknown[]]>((resolve, reject) => {
          const store = db.transaction(storeName).objectStore(storeName);
          const keyRequest = store.getAllKeys();
          const valueRequest = store.getAll();
          valueRequest.onsuccess = () => resolve([keyRequest.result, valueRequest.result]);
          valueRequest.onerror = () => reject(valueRequest.error);
        });
        for (const [index, value] of values.entries()) {
          const key = String(keys[index]);
          if (holds(key) || holds(await serialise(value))) places.push(`indexedDB ${db.name}/${storeName}/${key}`);
        }
      }
      db.close();
    }
    for (const cacheName of await caches.keys()) {
      const cache = await caches.open(cacheName);
      for (const request of await cache.keys()) {
        if (holds(request.url)) places.push(`cache ${cacheName} url ${request.url}`);
        const response = await cache.match(request);
        const type = response?.headers.get('content-type') ?? '';
        if (response && /^text\/|json|javascript|xml|svg/.test(type) && holds(await response.text())) {
          places.push(`cache ${cacheName} body ${request.url}`);
        }
      }
    }
    return places;
  }, needles);
}

/** Requests that carried the key anywhere, and whether each carried it only where it may go. */
async function keyRequests(): Promise<{ url: string; method: string; allowed: boolean; where: string[] }[]> {
  const needles = variants(API_KEY);
  const holds = (text: string): boolean => needles.some((needle) => text.includes(needle));
  const endpointOrigin = new URL(mock.url).origin;
  const found: { url: string; method: string; allowed: boolean; where: string[] }[] = [];
  for (const { request, headers } of requests) {
    const url = request.url();
    const where: string[] = [];
    if (holds(url) || holds(decodeURIComponent(url))) where.push('url');
    if (holds(request.postData() ?? '')) where.push('body');
    for (const [name, value] of Object.entries(await headers)) if (holds(value) || holds(name)) where.push(`header ${name.toLowerCase()}`);
    if (where.length === 0) continue;
    const onlyAuthorization = where.length === 1 && where[0] === 'header authorization' && (await headers).authorization === `Bearer ${API_KEY}`;
    found.push({ url, method: request.method(), allowed: onlyAuthorization && new URL(url).origin === endpointOrigin, where });
  }
  return found;
}

async function waitForRemote(page: Page): Promise<{ status: string; error: string | null }> {
  await page.waitForFunction(
    () => {
      const answers = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
      const remotes = document.querySelectorAll('[data-testid="remote-content"]');
      const local = answers[answers.length - 1];
      const remote = remotes[remotes.length - 1];
      return [local, remote].every((element) => element !== undefined && element.getAttribute('data-status') !== 'streaming');
    },
    undefined,
    { timeout: 120_000, polling: 200 },
  );
  const turn = page.locator('[data-testid="compare"]').last();
  const error = turn.getByTestId('remote-error');
  return {
    status: (await turn.getByTestId('remote-content').getAttribute('data-status')) ?? '',
    error: (await error.count()) > 0 ? await error.getAttribute('data-error-name') : null,
  };
}

async function setRemember(page: Page, remember: boolean): Promise<void> {
  await openCompareSettings(page);
  const box = page.getByLabel('Remember on this device');
  if (remember) await box.check();
  else await box.uncheck();
}

describe('the API key goes only to the endpoint, in its Authorization header', () => {
  it('sets up the tiny model, compare on, the mock as endpoint and the key (not remembered)', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 4);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);
    await page.getByRole('switch', { name: /Compare with/ }).check();
    await openCompareSettings(page);
    await page.getByLabel('Endpoint base URL').fill(mock.url);
    await page.locator('form', { has: page.getByLabel('Endpoint base URL') }).getByRole('button', { name: 'Save' }).click();
    await page.getByLabel(/API key/).fill(API_KEY);
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    expect(await page.getByLabel('Remember on this device').isChecked()).toBe(false);
  });

  it('each scanner finds a planted canary (storage of every kind, the console of the page and the worker)', async () => {
    const { page } = stack.session;
    const canary = `canary-${Date.now().toString(36)}`;
    await page.evaluate(async (canary) => {
      localStorage.setItem('canary', canary);
      sessionStorage.setItem('canary', canary);
      const cache = await caches.open('canary-cache');
      await cache.put('/canary.txt', new Response(`text ${canary}`, { headers: { 'content-type': 'text/plain' } }));
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('canary-db', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('store');
        request.onsuccess = () => {
          const tx = request.result.transaction('store', 'readwrite');
          tx.objectStore('store').put({ nested: [new Blob([`blob ${canary}`])] }, 'row');
          tx.oncomplete = () => {
            request.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        request.onerror = () => reject(request.error);
      });
      console.info('[test] page canary', canary);
    }, canary);
    const worker = page.workers()[0];
    expect(worker, 'the engine worker runs').toBeDefined();
    await worker?.evaluate((canary) => console.info('[test] worker canary', canary), canary);
    expect((await storageHolding(page, [canary])).sort()).toEqual([
      'cache canary-cache body http://127.0.0.1:' + new URL(APP_URL).port + '/canary.txt',
      'indexedDB canary-db/store/row',
      'localStorage canary',
      'sessionStorage canary',
    ]);
    await expect.poll(() => consoleLines.filter((line) => line.includes(canary)).length).toBeGreaterThanOrEqual(2);
    expect(consoleLines.some((line) => line.includes('worker canary'))).toBe(true);
    await page.evaluate(async () => {
      localStorage.removeItem('canary');
      sessionStorage.removeItem('canary');
      await caches.delete('canary-cache');
      await new Promise((resolve) => {
        const request = indexedDB.deleteDatabase('canary-db');
        request.onsuccess = request.onerror = () => resolve(undefined);
      });
    });
    // The request log sees the engine worker's downloads from the mirror too.
    expect(requests.some(({ request }) => request.url().startsWith(stack.mirror.url))).toBe(true);
  });

  it('not remembered: answered and refused turns leave the key in no storage and no console line', async () => {
    const { page } = stack.session;
    await sendMessage(page, 'First message with the key in memory');
    expect(await waitForRemote(page)).toEqual({ status: 'done', error: null });
    mock.script({ kind: 'status', status: 401 });
    await sendMessage(page, 'Second message, refused');
    expect(await waitForRemote(page)).toEqual({ status: 'error', error: 'RemoteAuth' });
    mock.script({ kind: 'status', status: 500 });
    await sendMessage(page, 'Third message, a server error');
    expect((await waitForRemote(page)).error).toBe('RemoteHttp');
    expect(await storageHolding(page, variants(API_KEY))).toEqual([]);
    expect(consoleLines.filter((line) => variants(API_KEY).some((needle) => line.includes(needle)))).toEqual([]);
    reportFault('API key, not remembered', 'nothing: the key is in memory only', 'no copy in IndexedDB, localStorage, sessionStorage, Cache Storage or the console');
  });

  it('remembered: the key is stored in exactly one place, used from there after a reload, and deleted on untick', async () => {
    const { page } = stack.session;
    await setRemember(page, true);
    await expect.poll(() => storageHolding(page, variants(API_KEY))).toEqual([REMEMBERED_AT]);
    await sendMessage(page, 'A message with the key remembered');
    expect(await waitForRemote(page)).toEqual({ status: 'done', error: null });
    expect(await storageHolding(page, variants(API_KEY))).toEqual([REMEMBERED_AT]);

    // After a reload the key comes back from that record only (the mock refuses any other key with 401).
    await page.reload();
    // The stored model loads by itself on start.
    await waitForModelReady(page);
    await sendMessage(page, 'After a reload, with the remembered key');
    expect(await waitForRemote(page)).toEqual({ status: 'done', error: null });

    await setRemember(page, false);
    await expect.poll(() => storageHolding(page, variants(API_KEY))).toEqual([]);
    expect(consoleLines.filter((line) => variants(API_KEY).some((needle) => line.includes(needle)))).toEqual([]);
    reportFault('API key, remembered', `nothing: the key is stored in ${REMEMBERED_AT} only`, 'that one record, deleted when "remember" is unticked');
  });

  it('every request with the key went to the endpoint origin, in its Authorization header only', async () => {
    const carrying = await keyRequests();
    const endpoint = new URL(mock.url).origin;
    // Five compared turns (three with the key in memory, two remembered): five POSTs with the key, nothing else.
    expect(carrying.length).toBe(5);
    expect(mock.requests.map((request) => request.authorization)).toEqual(Array(5).fill(`Bearer ${API_KEY}`));
    expect(carrying.filter((request) => !request.allowed)).toEqual([]);
    for (const request of carrying) {
      expect(request.method).toBe('POST');
      expect(request.url.startsWith(`${endpoint}/v1/`)).toBe(true);
    }
    const otherHosts = new Set(requests.map(({ request }) => new URL(request.url()).origin).filter((origin) => origin !== endpoint));
    expect(otherHosts.has(new URL(stack.mirror.url).origin)).toBe(true);
    expect(otherHosts.has(new URL(APP_URL).origin)).toBe(true);
    const { page } = stack.session;
    const cacheEntries = await page.evaluate(async () => {
      let entries = 0;
      for (const name of await caches.keys()) entries += (await (await caches.open(name)).keys()).length;
      return entries;
    });
    const fromServiceWorker = requests.filter(({ request }) => request.serviceWorker() !== null).length;
    console.info(
      '[fault-key figures]',
      JSON.stringify({ requests: requests.length, fromServiceWorker, withKey: carrying.length, cacheEntriesScanned: cacheEntries, otherOrigins: [...otherHosts] }),
    );
    reportFault('API key in requests', 'nothing', `only in the Authorization header of ${carrying.length} POSTs to the endpoint; in no URL, body, or request to the mirror or app`);
  });
});
