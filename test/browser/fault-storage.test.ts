// Storage faults in real headless Chromium against the built app, with the tiny model on the localhost mirror (on
// the CPU, to keep answers quick): a stored model file with flipped bytes (same size) is found by its hash before
// the engine reads it, fetched again, and the model answers; the same with the mirror unreachable is a named error
// that names the file, and the conversations stay; a conversation save refused by a full quota (forced small with
// CDP `Storage.overrideQuotaForOrigin`) is shown and written by the store's own retry once there is room; a model
// download refused by the quota is named QuotaExceeded with the sizes, opens the Storage view on it, leaves no
// half-written entry and no conversation lost. The steps share one profile, so they run in order.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { TINY_GGUF_DIR, TINY_GGUF_FILE, TINY_GGUF_REPO, TINY_MODEL_DIR, TINY_REPO } from '../fixtures/paths';
import { reportFault } from './fault-report';
import { addCustomRepo, APP_PORT, APP_URL, goToView, openBrowser, openSettings, sendMessage, useStack, useTinyModel, waitForAnswer, waitForModelReady } from './harness';
import { loadSelected, storedRepos } from './chat-steps';

const stack = useStack({ webgpu: false, mirror: true, serviceWorkers: 'block' });

const ORIGIN = `http://127.0.0.1:${APP_PORT}`;
/** The ONNX file the CPU build stores (its precision decides which); found in IndexedDB after the first load. */
let DAMAGED_FILE = '';
let DAMAGED_KEY = '';
let cleanSha256 = '';
const figures: Record<string, number> = {};

/**
 * In the page: opens the weight store's blobs and hands `work` the parts of the file stored under `key` (its chunks,
 * in order, or its one whole blob), with a function that replaces one part.
 */
const WITH_PARTS = `async (key, work) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('qwen-chat-weights');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const done = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const files = () => db.transaction('files', 'readwrite').objectStore('files');
  const chunkKeys = await done(files().getAllKeys(IDBKeyRange.bound([key, 0], [key, Number.MAX_SAFE_INTEGER])));
  const keys = chunkKeys.length > 0 ? chunkKeys : [key];
  const parts = [];
  for (const part of keys) parts.push(await done(files().get(part)));
  const replace = (index, blob) => done(files().put(blob, keys[index]));
  try { return await work(parts, replace); } finally { db.close(); }
}`;

/** Flips 8 bytes in the middle of the file's first stored part, keeping its size; returns the file's size. */
async function flipStoredBytes(page: Page, key: string): Promise<number> {
  return page.evaluate(`(${WITH_PARTS})(${JSON.stringify(key)}, async (parts, replace) => {
    const first = parts[0];
    if (!(first instanceof Blob)) throw new Error('nothing stored under ' + ${JSON.stringify(key)});
    const bytes = new Uint8Array(await first.arrayBuffer());
    const middle = Math.floor(bytes.length / 2);
    for (let at = middle; at < middle + 8; at += 1) bytes[at] ^= 0xff;
    await replace(0, new Blob([bytes]));
    return parts.reduce((sum, part) => sum + part.size, 0);
  })`);
}

/** SHA-256 (hex) of the file stored under `key` now (its parts joined), read in the page; '' when absent. */
async function storedSha256(page: Page, key: string): Promise<string> {
  return page.evaluate(`(${WITH_PARTS})(${JSON.stringify(key)}, async (parts) => {
    if (!parts.every((part) => part instanceof Blob)) return '';
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await new Blob(parts).arrayBuffer()));
    return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  })`);
}

/** The files the weight store has a record of (`<repo>/<file>` keys). */
async function storedFileKeys(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('qwen-chat-weight-index');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    const read = db.transaction('records').objectStore('records').getAllKeys();
    const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
      read.onsuccess = () => resolve(read.result);
      read.onerror = () => reject(read.error ?? new Error('getAllKeys failed'));
    });
    db.close();
    return keys.filter((key): key is string => typeof key === 'string');
  });
}

/** Every message text of every conversation stored in the app's IndexedDB. */
async function storedMessages(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('qwen-chat-app');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    const read = db.transaction('data').objectStore('data').getAll();
    const values = await new Promise<unknown[]>((resolve, reject) => {
      read.onsuccess = () => resolve(read.result);
      read.onerror = () => reject(read.error ?? new Error('getAll failed'));
    });
    db.close();
    const texts: string[] = [];
    for (const value of values) {
      const messages: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, 'messages') : undefined;
      if (!Array.isArray(messages)) continue;
      for (const message of messages) {
        const content: unknown = typeof message === 'object' && message !== null ? Reflect.get(message, 'content') : undefined;
        if (typeof content === 'string') texts.push(content);
      }
    }
    return texts;
  });
}

async function quota(page: Page): Promise<{ usage: number; quota: number }> {
  return page.evaluate(async () => {
    const { usage = 0, quota: total = 0 } = await navigator.storage.estimate();
    return { usage, quota: total };
  });
}

/** Forces this origin's quota (bytes), or lifts the override when `bytes` is undefined. */
async function overrideQuota(cdp: CDPSession, bytes: number | undefined): Promise<void> {
  await cdp.send('Storage.overrideQuotaForOrigin', bytes === undefined ? { origin: ORIGIN } : { origin: ORIGIN, quotaSize: bytes });
}

/**
 * Restarts the browser on the same profile with the quota forced to `bytes` before the app opens, and waits for the
 * stored model to load. Chromium enforces a forced quota reliably only for storage not yet opened in that browser
 * session (an open bucket keeps the room it was granted), and its estimate() goes on reporting the real quota.
 */
async function restartWithQuota(bytes: number): Promise<{ page: Page; cdp: CDPSession }> {
  await stack.session.close();
  stack.session = await openBrowser(stack.profile, { webgpu: false, serviceWorkers: 'block' });
  const { context, page } = stack.session;
  const cdp = await context.newCDPSession(page);
  await overrideQuota(cdp, bytes);
  await page.goto(APP_URL);
  await waitForLoad(page);
  return { page, cdp };
}

/** Waits for the load to end: ready, or a load error, which fails the test with what the user reads. */
async function waitForLoad(page: Page): Promise<void> {
  await openSettings(page);
  await page.locator('[data-testid="model-ready"], [data-testid="load-error"]').first().waitFor({ timeout: 180_000 });
  const error = page.getByTestId('load-error');
  if ((await error.count()) > 0) throw new Error(`the load failed: ${await error.getAttribute('data-error-name')}: ${await error.innerText()}`);
}

async function modelFileGets(): Promise<string[]> {
  return stack.mirror.requests.filter((line) => line.startsWith('GET ') && line.includes(`/${TINY_REPO}/`));
}

describe('storage faults', () => {
  it('a stored model file with flipped bytes is found before use, fetched again, and the model answers', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 8);
    await loadSelected(page);
    await waitForModelReady(page);
    await sendMessage(page, 'Before the damage');
    expect((await waitForAnswer(page)).status).toBe('done');
    await expect.poll(() => storedMessages(page)).toContain('Before the damage');

    const onnxKeys = (await storedFileKeys(page)).filter((key) => key.startsWith(`${TINY_REPO}/onnx/`));
    expect(onnxKeys).toHaveLength(1);
    DAMAGED_KEY = onnxKeys[0] ?? '';
    DAMAGED_FILE = DAMAGED_KEY.slice(TINY_REPO.length + 1);
    cleanSha256 = createHash('sha256').update(await readFile(path.join(TINY_MODEL_DIR, DAMAGED_FILE))).digest('hex');
    const clean = cleanSha256;
    expect(await storedSha256(page, DAMAGED_KEY)).toBe(clean);
    const size = await flipStoredBytes(page, DAMAGED_KEY);
    expect(size).toBe((await readFile(path.join(TINY_MODEL_DIR, DAMAGED_FILE))).byteLength);
    expect(await storedSha256(page, DAMAGED_KEY)).not.toBe(clean);

    // A reload loads the last model from this device by itself: the damaged file must be caught there.
    stack.mirror.clearRequests();
    const started = Date.now();
    await page.reload();
    await waitForLoad(page);
    figures.reloadWithRefetchMs = Date.now() - started;
    const gets = await modelFileGets();
    expect(gets.filter((line) => line.endsWith(`/${DAMAGED_FILE}`))).toHaveLength(1);
    expect(gets.filter((line) => !line.endsWith(`/${DAMAGED_FILE}`) && !line.endsWith('tokenizer_config.json'))).toEqual([]);
    expect(await storedSha256(page, DAMAGED_KEY)).toBe(clean);

    await sendMessage(page, 'After the damage');
    const answer = await waitForAnswer(page);
    expect(answer.status).toBe('done');
    expect(answer.content.length).toBeGreaterThan(0);
    expect(await storedMessages(page)).toContain('Before the damage');
    reportFault(
      'a stored model file with flipped bytes (same size)',
      'nothing to do: the hash check catches it on load, that one file is fetched again and the model answers',
      'the conversations and every intact stored file',
    );
  });

  it('the same with the mirror unreachable is a named error naming the file, and the conversations stay', async () => {
    const { page } = stack.session;
    await flipStoredBytes(page, DAMAGED_KEY);
    expect(await storedSha256(page, DAMAGED_KEY)).not.toBe(cleanSha256);
    stack.mirror.setBlocked(true);
    try {
      await page.reload();
      const error = page.getByTestId('load-error');
      await openSettings(page);
      await page.locator('[data-testid="model-ready"], [data-testid="load-error"]').first().waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('model-ready').count()).toBe(0);
      expect(await error.getAttribute('data-error-name')).toBe('IntegrityMismatch');
      const text = await error.innerText();
      expect(text).toContain(DAMAGED_FILE);
      expect(text).toContain('damaged');
      expect(await page.getByTestId('model-ready').count()).toBe(0);
      expect(await storedMessages(page)).toEqual(expect.arrayContaining(['Before the damage', 'After the damage']));
      await goToView(page, 'chat');
      expect(await page.getByTestId('message').count()).toBeGreaterThan(0);
    } finally {
      stack.mirror.setBlocked(false);
    }

    // Back online, Retry fetches the file again and the model loads.
    await openSettings(page);
    await page.getByRole('button', { name: 'Retry' }).click();
    await waitForModelReady(page);
    reportFault(
      'a stored model file with flipped bytes, model host unreachable',
      `IntegrityMismatch naming ${DAMAGED_FILE} (damaged copy removed, fetched again when the host answers); Retry then loads`,
      'the conversations and the intact stored files',
    );
  });

  it('a conversation save refused by a full quota is shown, and written by the retry once there is room', async () => {
    // Less than is stored already: no write fits (reading the model back needs none).
    const { usage } = await quota(stack.session.page);
    const { page, cdp } = await restartWithQuota(Math.floor(usage / 2));
    try {
      await sendMessage(page, 'Written when there is room');
      expect((await waitForAnswer(page)).status).toBe('done');
      const alert = page.getByTestId('conversation-save-error');
      await alert.waitFor({ timeout: 30_000 });
      expect(await alert.getAttribute('data-error-name')).toBe('ConversationNotSaved');
      expect(await alert.innerText()).toContain('the disk is full');
      expect(await storedMessages(page)).not.toContain('Written when there is room');
    } finally {
      await overrideQuota(cdp, undefined);
    }
    // No new message: the store's own retry (2 s, then 5 s, …) writes it and the notice goes.
    const lifted = Date.now();
    await page.getByTestId('conversation-save-error').waitFor({ state: 'detached', timeout: 60_000 });
    figures.saveRetriedAfterMs = Date.now() - lifted;
    expect(await storedMessages(page)).toContain('Written when there is room');
    await page.reload();
    await waitForModelReady(page);
    await expect.poll(() => storedMessages(page)).toContain('Written when there is room');
    reportFault(
      'a conversation save refused by a full quota',
      'ConversationNotSaved ("the disk is full", free space in Storage) under the chat; saved by itself once there is room',
      'the conversation on screen, then on disk',
    );
    await cdp.detach();
  });

  it('a model download refused by the quota is named with the sizes, opens Storage, and leaves no half-written entry', async () => {
    const before = await storedMessages(stack.session.page);
    const { usage } = await quota(stack.session.page);
    const ggufBytes = (await readFile(path.join(TINY_GGUF_DIR, TINY_GGUF_FILE))).byteLength;
    // Room for small writes (the settings, an index record), not for the model file.
    const { page, cdp } = await restartWithQuota(usage + Math.floor(ggufBytes / 3));
    try {
      await addCustomRepo(page, `${TINY_GGUF_REPO}/${TINY_GGUF_FILE}`);
      await loadSelected(page);
      const problem = page.getByTestId('storage-quota-problem');
      await problem.waitFor({ timeout: 120_000 });
      expect(await page.evaluate(() => location.hash)).toBe('#/storage');
      expect(await problem.getAttribute('data-error-name')).toBe('QuotaExceeded');
      const text = await problem.innerText();
      expect(text).toContain(TINY_GGUF_FILE);
      expect(text).toMatch(/\d+\.\d MiB\) did not fit|the next \d+\.\d MiB did not fit/);
      expect(text).toMatch(/\d+\.\d MiB more are needed/);
      expect(text).toContain('storage panel');
      const repos = await storedRepos(page);
      expect(repos).toContain(TINY_REPO);
      expect(repos).not.toContain(TINY_GGUF_REPO);
      expect(await storedMessages(page)).toEqual(before);
      await openSettings(page);
      expect(await page.getByTestId('load-error').getAttribute('data-error-name')).toBe('QuotaExceeded');
    } finally {
      await overrideQuota(cdp, undefined);
      await cdp.detach();
    }
    await page.getByRole('button', { name: 'Dismiss' }).click();
    expect(await page.getByTestId('storage-quota-problem').count()).toBe(0);
    reportFault(
      'a model download refused by the storage quota',
      'QuotaExceeded with the file, the bytes needed and free, what to delete; the Storage view opens on it',
      'the conversations and the other stored models; nothing of the refused file',
    );
    console.info('[fault-storage figures]', JSON.stringify(figures));
  });
});
