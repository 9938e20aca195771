// Fault suite: cut downloads resume inside the file. Real Chromium, the built app, the tiny ONNX model (a copy of it
// in its own repo on the localhost mirror, so a case may change a served file) loaded through the transformers.js
// engine, whose files the app fetches with its own chunked download. Each case loads in a fresh profile.
// Chunk size: the default 16 MiB, larger than every file here. That is the honest setting for "resume inside the
// file": on a cut the bytes read so far are stored at once, whatever the chunk size, so each resume asks for
// `Range: bytes=<stored>-` where <stored> is read from IndexedDB before Retry and lies inside the file.
// Chromium drops what sits unread in a response when the connection breaks, and on localhost a small file arrives
// in one burst, so the mirror sends in small pieces on a slow link (setThrottle) where a case needs bytes to have
// been read before the cut: as over a real network, where a cut comes long after the first bytes.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../workers/cache/chunked-download';
import { GENERATED_MODELS_DIR, TINY_MODEL_DIR } from '../fixtures/paths';
import { uniformWeights } from '../fixtures/seeded-random';
import { loadSelected } from './chat-steps';
import { reportFault } from './fault-report';
import { APP_URL, LOAD_TIMEOUT_MS, newProfileDir, openBrowser, removeProfileDir, useStack, useTinyModel } from './harness';
import { TINY_FILES } from './model-files';

const stack = useStack({ webgpu: true, mirror: true });

const REPO = 'test-fault-downloads/tiny-qwen3';
const REPO_DIR = path.join(GENERATED_MODELS_DIR, ...REPO.split('/'));
const MODEL = 'onnx/model.onnx';
const TOKENIZER = 'tokenizer.json';
const SEED = 13;
const CUTS = 10;
/** The slow link's piece size where a case needs bytes read before its cut. */
const PIECE_BYTES = 256;
/** What Chromium may hold unread when a connection breaks, on that slow link: a cut before it may store nothing. */
const UNREAD_BOUND = 16 * 1024;

interface StoredEntry {
  bytes: number;
  complete: boolean;
  sha256: string;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const served = (file: string): string => path.join(REPO_DIR, ...file.split('/'));
const fileSuffix = (file: string): string => `/${REPO}/${file}`;

async function servedSizes(): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const file of TINY_FILES) sizes.set(file, (await stat(served(file))).size);
  return sizes;
}

async function copyModel(): Promise<void> {
  for (const file of TINY_FILES) {
    await mkdir(path.dirname(served(file)), { recursive: true });
    await copyFile(path.join(TINY_MODEL_DIR, ...file.split('/')), served(file));
  }
}

/** Every stored file of REPO as the page's IndexedDB holds it: bytes, whole or not, and the sha256 of its parts. */
async function readStore(page: Page): Promise<Record<string, StoredEntry>> {
  return page.evaluate(async (repo) => {
    const ask = <T>(request: IDBRequest<T>): Promise<T> =>
      new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
      });
    const open = (name: string): Promise<IDBDatabase> => ask(indexedDB.open(name));
    const index = await open('qwen-chat-weight-index');
    const blobs = await open('qwen-chat-weights');
    const found: Record<string, StoredEntry> = {};
    try {
      const records = (await ask(index.transaction('records').objectStore('records').getAll())) as {
        key: string; repo: string; file: string; bytes: number; chunked?: { complete: boolean };
      }[];
      for (const record of records) {
        if (record.repo !== repo) continue;
        const files = blobs.transaction('files').objectStore('files');
        const parts = record.chunked
          ? ((await ask(files.getAll(IDBKeyRange.bound([record.key, 0], [record.key, Number.MAX_SAFE_INTEGER])))) as Blob[])
          : [(await ask(files.get(record.key))) as Blob];
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await new Blob(parts).arrayBuffer()));
        found[record.file] = {
          bytes: record.bytes,
          complete: record.chunked?.complete ?? true,
          sha256: [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join(''),
        };
      }
    } finally {
      index.close();
      blobs.close();
    }
    return found;
  }, REPO);
}

/** Counts each load error the panel puts up, so a quick second failure is not mistaken for the first one. */
async function countLoadErrors(page: Page): Promise<void> {
  await page.evaluate(() => {
    const counter = { errors: 0 };
    Object.assign(window, { __loadErrors: counter });
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        for (const node of mutation.addedNodes) {
          if (node instanceof Element && (node.matches('[data-testid="load-error"]') || node.querySelector('[data-testid="load-error"]'))) counter.errors += 1;
        }
      }
    }).observe(document.body, { subtree: true, childList: true });
  });
}

async function loadErrorsShown(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __loadErrors: { errors: number } }).__loadErrors.errors);
}

/** Starts a load (or, after a failure, Retry: the same button) and waits for it to end: ready, or its error. */
async function load(page: Page): Promise<'ready' | { name: string; text: string }> {
  const before = await loadErrorsShown(page);
  await loadSelected(page);
  await page.waitForFunction(
    (shown) => (window as unknown as { __loadErrors: { errors: number } }).__loadErrors.errors > shown || document.querySelector('[data-testid="model-ready"]') !== null,
    before,
    { timeout: LOAD_TIMEOUT_MS, polling: 200 },
  );
  const error = page.getByTestId('load-error');
  if ((await error.count()) === 0) return 'ready';
  return { name: (await error.getAttribute('data-error-name')) ?? '', text: await error.innerText() };
}

/** Presses Retry (the load button says so after a failure) and waits for that try to end. */
async function retry(page: Page): Promise<'ready' | { name: string; text: string }> {
  expect(await page.getByTestId('load-button').innerText()).toContain('Retry');
  return load(page);
}

/** The stored files equal the served ones, byte for byte. */
async function expectStoredAsServed(page: Page): Promise<void> {
  const stored = await readStore(page);
  for (const file of TINY_FILES) {
    expect(stored[file], file).toMatchObject({ complete: true, sha256: sha256(await readFile(served(file))) });
  }
}

async function withFreshBrowser(run: (page: Page) => Promise<void>): Promise<void> {
  const profile = await newProfileDir();
  const session = await openBrowser(profile, { webgpu: true, serviceWorkers: 'block' });
  try {
    await session.page.goto(APP_URL);
    await useTinyModel(session.page, stack.mirror.url, REPO, 8);
    await countLoadErrors(session.page);
    await run(session.page);
  } finally {
    await session.close();
    await removeProfileDir(profile);
  }
}

/** GETs of one file since the last clearRequests(). */
function getsOf(file: string): { range: string | undefined; status?: number }[] {
  return stack.mirror.gets.filter((get) => get.path.endsWith(fileSuffix(file)));
}

/** Ten seeded offsets, two inside each of the five files (offsets laid end to end would all fall in the graph). */
function seededCuts(sizes: Map<string, number>): { file: string; offset: number }[] {
  const draws = [...uniformWeights(SEED, 'download cuts', CUTS, 1)].map((value) => (value + 1) / 2);
  return [...sizes].flatMap(([file, size], index) =>
    [draws[2 * index] ?? 0, draws[2 * index + 1] ?? 0].map((draw) => ({ file, offset: 1 + Math.floor(draw * (size - 2)) })),
  );
}

beforeAll(copyModel);

afterEach(async () => {
  stack.mirror.cancelCuts();
  stack.mirror.setIgnoreRanges(false);
  stack.mirror.setThrottle(undefined);
  await copyModel();
});

afterAll(async () => {
  await rm(path.dirname(REPO_DIR), { recursive: true, force: true });
});

describe('cut downloads resume inside the file (transformers.js build)', () => {
  it('ten cuts at seeded offsets: each Retry resumes with Range from the stored bytes, ≤ one chunk fetched again per cut', async () => {
    const sizes = await servedSizes();
    const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    const cuts = seededCuts(sizes);
    expect(new Set(cuts.map((cut) => `${cut.file}@${cut.offset}`)).size).toBe(CUTS);
    for (const file of sizes.keys()) {
      const offsets = cuts.filter((cut) => cut.file === file).map((cut) => cut.offset);
      if (offsets.length > 0) stack.mirror.cutDownloadsAt(fileSuffix(file), offsets);
    }
    await withFreshBrowser(async (page) => {
      stack.mirror.setThrottle(256_000, PIECE_BYTES);
      stack.mirror.clearRequests();
      const resumes: { file: string; stored: number; offset: number }[] = [];
      const pending = new Map([...sizes.keys()].map((file) => [file, cuts.filter((cut) => cut.file === file).map((cut) => cut.offset).sort((x, y) => x - y)]));
      let bytesSent = 0;
      let outcome = await load(page);
      while (outcome !== 'ready') {
        expect(outcome.name, outcome.text).toBe('DownloadFailed');
        expect(resumes.length, 'more failures than cuts').toBeLessThan(CUTS);
        // What the store holds of the file that was cut: the next try must ask for the rest of it.
        const partial = Object.entries(await readStore(page)).filter(([, entry]) => !entry.complete);
        expect(partial).toHaveLength(1);
        const [[file = '', entry] = []] = partial;
        const stored = entry?.bytes ?? 0;
        expect(outcome.text).toContain(file);
        // The cut that hit: the mirror's lowest unused offset in that file past where this try started.
        const startedAt = resumes.findLast((each) => each.file === file)?.stored ?? 0;
        const queue = pending.get(file) ?? [];
        while (queue.length > 0 && (queue[0] ?? 0) <= startedAt) queue.shift();
        resumes.push({ file, stored, offset: queue.shift() ?? Number.NaN });
        bytesSent += stack.mirror.bytesSent;
        stack.mirror.clearRequests();
        outcome = await retry(page);
        // Nothing stored (a cut inside the first piece) starts the file with a plain GET; else the rest by Range.
        const [next] = getsOf(file);
        expect(next?.range, `${file} resumed`).toBe(stored > 0 ? `bytes=${stored}-` : undefined);
        expect(next?.status).toBe(stored > 0 ? 206 : 200);
      }
      bytesSent += stack.mirror.bytesSent;
      expect(resumes).toHaveLength(CUTS);
      // Bytes sent twice are exactly those lost at the cuts: nothing else (no file) was fetched again.
      const refetched = bytesSent - total;
      expect(refetched).toBe(resumes.reduce((sum, { stored, offset }) => sum + offset - stored, 0));
      expect(refetched).toBeLessThanOrEqual(CUTS * CHUNK_BYTES);
      for (const { file, stored, offset } of resumes) {
        // Stored inside the file (for a cut past what Chromium may still hold unread), at most the bytes sent
        // before the cut, and at most one chunk short of them.
        if (offset > UNREAD_BOUND) expect(stored, `${file} cut at ${offset}`).toBeGreaterThan(0);
        expect(stored).toBeLessThan(sizes.get(file) ?? 0);
        expect(stored).toBeLessThanOrEqual(offset);
        expect(offset - stored).toBeLessThanOrEqual(CHUNK_BYTES);
      }
      await expectStoredAsServed(page);
      console.info('[fault-downloads figures]', JSON.stringify({
        totalBytes: total, bytesSent, refetched, cuts: resumes.map(({ file, stored, offset }) => ({ file, offset, lostAtCut: offset - stored })),
      }));
    });
    reportFault('download cut at 10 seeded byte offsets', 'DownloadFailed naming the file and the bytes stored; Retry resumes there', 'every stored byte: Range from the stored size, ≤ 1 chunk refetched per cut; files sha256-identical');
  });
  it('a server that ignores Range: the resume gets the whole file with 200, stores it anew, and the files are right', async () => {
    const size = (await stat(served(MODEL))).size;
    stack.mirror.cutDownloadsAt(fileSuffix(MODEL), [Math.floor(size * 0.6)]);
    await withFreshBrowser(async (page) => {
      stack.mirror.setThrottle(1_000_000, 4096);
      expect(await load(page)).toMatchObject({ name: 'DownloadFailed' });
      const stored = (await readStore(page))[MODEL]?.bytes ?? 0;
      expect(stored).toBeGreaterThan(0);
      stack.mirror.setIgnoreRanges(true);
      stack.mirror.clearRequests();
      expect(await retry(page)).toBe('ready');
      // Asked for the rest, got the whole file, and used that answer: one GET, the whole file sent again.
      expect(getsOf(MODEL)).toEqual([{ path: `/${REPO}/${MODEL}`, range: `bytes=${stored}-`, status: 200 }]);
      expect(stack.mirror.bytesSent).toBeGreaterThanOrEqual(size);
      await expectStoredAsServed(page);
    });
    reportFault('server ignores Range on the resume', 'Retry completes the load', 'the file fetched whole again and stored anew; files sha256-identical');
  });

  it('a file changed on the server between the cut and the resume (size, or ETag only) starts over: no splice', async () => {
    const tokenizerSize = (await stat(served(TOKENIZER))).size;
    const modelSize = (await stat(served(MODEL))).size;
    stack.mirror.cutDownloadsAt(fileSuffix(TOKENIZER), [Math.floor(tokenizerSize / 2)]);
    stack.mirror.cutDownloadsAt(fileSuffix(MODEL), [Math.floor(modelSize * 0.4)]);
    await withFreshBrowser(async (page) => {
      // Small pieces on a slow link, as in the ten-cut case: a cut then lands after bytes were stored.
      stack.mirror.setThrottle(256_000, PIECE_BYTES);
      expect(await load(page)).toMatchObject({ name: 'DownloadFailed' });
      const tokenizerStored = (await readStore(page))[TOKENIZER]?.bytes ?? 0;
      expect(tokenizerStored).toBeGreaterThan(0);
      // The same tokenizer written compactly: other bytes, another size (so another ETag), still a valid file.
      const compact = JSON.stringify(JSON.parse(await readFile(served(TOKENIZER), 'utf8')));
      expect(Buffer.byteLength(compact)).not.toBe(tokenizerSize);
      await writeFile(served(TOKENIZER), compact);
      stack.mirror.clearRequests();
      expect(await retry(page)).toMatchObject({ name: 'DownloadFailed' }); // now the model's cut
      expect(getsOf(TOKENIZER).map((get) => [get.range, get.status])).toEqual([[`bytes=${tokenizerStored}-`, 206], [undefined, 200]]);

      const modelStored = (await readStore(page))[MODEL]?.bytes ?? 0;
      expect(modelStored).toBeGreaterThan(0);
      // Same bytes, same size, a later modification time: only the ETag (and Last-Modified) differ.
      const later = new Date(Date.now() + 60_000);
      await utimes(served(MODEL), later, later);
      stack.mirror.clearRequests();
      expect(await retry(page)).toBe('ready');
      expect(getsOf(MODEL).map((get) => [get.range, get.status])).toEqual([[`bytes=${modelStored}-`, 206], [undefined, 200]]);
      expect(stack.mirror.bytesSent).toBeGreaterThanOrEqual(modelSize);
      await expectStoredAsServed(page);
    });
    reportFault('file changed on the server between cut and resume (size, or ETag only)', 'Retry completes the load', 'that file starts over, never two versions spliced; sha256 equals the new file');
  });

  it('progress across a resume: starts at what is stored, never goes back, ends at 100%; the speed shown stays sane', async () => {
    const sizes = await servedSizes();
    const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    const modelSize = sizes.get(MODEL) ?? 0;
    const rate = 150_000;
    stack.mirror.cutDownloadsAt(fileSuffix(MODEL), [Math.floor(modelSize / 2)]);
    await withFreshBrowser(async (page) => {
      stack.mirror.setThrottle(1_000_000, 4096);
      expect(await load(page)).toMatchObject({ name: 'DownloadFailed' });
      const before = await readStore(page);
      expect(before[MODEL]?.bytes).toBeGreaterThan(0);
      const storedBytes = Object.values(before).reduce((sum, entry) => sum + entry.bytes, 0);
      // Every state of the progress line while the retry runs, as the view shows it.
      await page.evaluate(() => {
        const seen: { phase: string; percent: string; text: string }[] = [];
        Object.assign(window, { __progress: seen });
        const record = (): void => {
          const bar = document.querySelector('[data-testid="load-progress"]');
          if (!bar) return;
          const state = { phase: bar.getAttribute('data-phase') ?? '', percent: bar.getAttribute('data-percent') ?? '', text: bar.textContent ?? '' };
          const last = seen.at(-1);
          if (!last || last.phase !== state.phase || last.percent !== state.percent || last.text !== state.text) seen.push(state);
        };
        new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      stack.mirror.setThrottle(rate);
      expect(await retry(page)).toBe('ready');
      const seen = await page.evaluate(() => (window as unknown as { __progress: { phase: string; percent: string; text: string }[] }).__progress);
      const downloads = seen.filter((state) => state.phase === 'download');
      const percents = downloads.map((state) => Number.parseInt(state.percent, 10));
      expect(percents.length).toBeGreaterThan(1);
      expect(percents[0]).toBeGreaterThanOrEqual(Math.floor((storedBytes / total) * 100));
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(percents.at(-1)).toBe(100);
      expect(seen.at(-1)?.percent).toBe('100%');
      const speeds = downloads.flatMap((state) => [...state.text.matchAll(/([\d.]+) MB\/s/g)].map((match) => Number(match[1])));
      console.info('[fault-downloads figures]', JSON.stringify({ throttleMBps: rate / 1e6, storedBytes, total, percents, speedsMBps: speeds }));
      expect(speeds.length).toBeGreaterThan(0);
      for (const speed of speeds) {
        expect(Number.isFinite(speed)).toBe(true);
        expect(speed).toBeGreaterThan(0);
        // What arrived over the time it took, not the bytes stored before Retry counted as if just fetched.
        expect(speed).toBeLessThanOrEqual((2 * rate) / 1e6);
      }
    });
    reportFault('download resumed after a cut, on a slow link', 'the bar starts at what is stored, only rises, ends at 100%; the speed shown is the link’s', 'the bytes stored before the cut');
  });
});
