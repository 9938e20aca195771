// Hostile input on every surface other than model output (render.test.ts runs the corpus as local and remote
// answers), in real Chromium against the built app under its Content-Security-Policy: imported conversations
// (titles, message text, model names, image names and image data), a sideloaded folder's file names and its
// config.json and manifest fields, a model repo id typed by the user, and a config.json a mirror serves. For each: the payload reaches the view
// as text, nothing runs (no `window.__xss`, no dialog, no request for a payload's target), and nothing executable
// or clobbering is left anywhere in the document.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_MODELS_DIR, TINY_REPO } from '../fixtures/paths';
import { XSS_PAYLOADS } from '../fixtures/xss-payloads';
import { addCustomRepo, APP_URL, goToView, LOAD_TIMEOUT_MS, openSettings, openStoragePanel, setModelSource, useStack } from './harness';
import { reportFault } from './fault-report';
import { copyTinyModel } from './model-files';
import { loadSelected, storedRepos } from './chat-steps';

// A repo on the mirror whose config.json carries a payload, written into the mirror's folder for this file's run.
const HOSTILE_MIRROR_REPO = 'test-hostile/payload-config';
const HOSTILE_MIRROR_DIR = path.join(GENERATED_MODELS_DIR, ...HOSTILE_MIRROR_REPO.split('/'));

const stack = useStack({ webgpu: true, mirror: true, serviceWorkers: 'block' });

/** Names a surviving id or name attribute would shadow on window or document (DOM clobbering). */
const CLOBBER_NAMES = ['__xss', 'getElementById', 'cookie', 'location', 'defaultView', 'body', 'x', 'y'];

const ONE_PIXEL_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const SVG_WITH_SCRIPT = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=1"/>').toString('base64')}`;
const HOSTILE_IMAGE_DATA = [
  'javascript:window.__xss=1',
  SVG_WITH_SCRIPT,
  'data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==',
  // Says PNG, is HTML.
  `data:image/png;base64,${Buffer.from('<script>window.__xss=1</script>').toString('base64')}`,
  `${APP_URL}x`,
];

/** Payloads that are valid file names on Linux (no `/`, no NUL, not too long), for the sideload surface. */
const FILE_NAME_PAYLOADS = XSS_PAYLOADS.filter((payload) => !/[/\0\n\t]/.test(payload) && Buffer.byteLength(payload) < 200);
/** One-line payloads, which innerText shows as written. */
const ONE_LINE_PAYLOADS = XSS_PAYLOADS.filter(
  (payload) => Array.from(payload).every((char) => char.charCodeAt(0) >= 0x20) && payload.trim() === payload,
);

let work: string;
const dialogs: string[] = [];
const payloadRequests: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qwen-chat-hostile-'));
  const { page, context } = stack.session;
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  context.on('request', (request) => {
    const url = new URL(request.url());
    // The payloads aim their images, frames and leaks at `x`, `1` or attacker.invalid.
    if (url.hostname === 'attacker.invalid' || /^\/(?:x|1|x\.png|x\.htc)$/.test(url.pathname)) payloadRequests.push(request.url());
  });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await rm(path.dirname(HOSTILE_MIRROR_DIR), { recursive: true, force: true });
});

interface Inspection {
  flag: string | null;
  handlers: string[];
  urls: string[];
  elements: string[];
  clobbered: string[];
  globals: string[];
}

/** Looks through the whole document for anything a payload could have left that runs, loads, sends or shadows. */
function inspect(): Promise<Inspection> {
  return stack.session.page.evaluate((clobberNames) => {
    const all = Array.from(document.body.querySelectorAll('*'));
    const handlers: string[] = [];
    const urls: string[] = [];
    for (const element of all) {
      for (const attribute of Array.from(element.attributes)) {
        const name = attribute.name.toLowerCase();
        if (name.startsWith('on')) handlers.push(`${element.tagName.toLowerCase()}[${name}]`);
        if (['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster', 'data', 'background'].includes(name)) {
          const value = Array.from(attribute.value).filter((char) => char.charCodeAt(0) > 0x20).join('').toLowerCase();
          // The app's own: hash routes, its origin, http(s) links, and pictures as PNG/JPEG/WebP data URLs.
          if (!/^(?:#|https?:|mailto:|blob:|data:image\/(?:png|jpeg|webp);base64,)/.test(value)) urls.push(`${element.tagName.toLowerCase()}[${name}=${attribute.value}]`);
        }
      }
    }
    const elements = Array.from(
      document.querySelectorAll('body script, body style, body link, iframe, frame, object, embed, base, meta[http-equiv="refresh"], body meta, form[action], svg script, math, template'),
      (element) => element.tagName.toLowerCase(),
    );
    const clobbered = clobberNames.filter((name) => document.querySelector(`[id="${name}"], [name="${name}"]`) !== null);
    const globals: string[] = [];
    if (typeof document.getElementById !== 'function') globals.push('document.getElementById');
    if (typeof document.cookie !== 'string') globals.push('document.cookie');
    if (document.querySelectorAll('#app').length !== 1) globals.push('#app');
    if (document.querySelectorAll('#composer-input').length > 1) globals.push('#composer-input');
    if (document.querySelectorAll('[data-testid="messages"]').length > 1) globals.push('[data-testid=messages]');
    const flag: unknown = Reflect.get(window, '__xss');
    return { flag: flag === undefined ? null : String(flag), handlers, urls, elements, clobbered, globals };
  }, CLOBBER_NAMES);
}

const CLEAN: Inspection = { flag: null, handlers: [], urls: [], elements: [], clobbered: [], globals: [] };

async function expectInert(): Promise<void> {
  // Give deferred handlers (onload, onerror, autofocus, animations) their chance.
  await stack.session.page.waitForTimeout(500);
  expect(await inspect()).toEqual(CLEAN);
  expect(dialogs).toEqual([]);
  expect(payloadRequests).toEqual([]);
}

/** Text as innerText shows it: runs of white space collapse to one space. */
const spaced = (text: string): string => text.replace(/\s+/g, ' ').trim();

let counter = 0;
const id = (prefix: string): string => `${prefix}-hostile-${(counter += 1)}`;

function exportFile(conversations: unknown[]): string {
  return JSON.stringify({ format: 'qwen-webgpu-chat/conversations', version: 2, conversations });
}

async function importConversations(conversations: unknown[]): Promise<string> {
  const file = path.join(work, `${id('import')}.json`);
  await writeFile(file, exportFile(conversations));
  const { page } = stack.session;
  await goToView(page, 'chat');
  await page.getByTestId('import-conversations').setInputFiles(file);
  await page.getByTestId('import-report').waitFor();
  return page.getByTestId('import-report').innerText();
}

describe('hostile input on every surface but model output', () => {
  it('starts clean: the inspection finds nothing in the app itself', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await page.getByTestId('messages').waitFor();
    await expectInert();
  });

  it('imported conversations: payload titles, messages, model names and image names stay text; bad image data is refused', async () => {
    const { page } = stack.session;
    const now = Date.now();
    const titled = XSS_PAYLOADS.map((payload, index) => ({
      id: id('c'),
      title: payload,
      createdAt: now - index,
      updatedAt: now - index,
      messages: [{ id: id('u'), role: 'user', content: 'hi', createdAt: now }],
    }));
    const messages = XSS_PAYLOADS.flatMap((payload, index) => [
      {
        id: id('u'),
        role: 'user',
        content: payload,
        createdAt: now,
        images: index < 20 ? [{ id: id('i'), name: payload, dataUrl: ONE_PIXEL_PNG, width: 1, height: 1 }] : undefined,
      },
      {
        id: id('a'),
        role: 'assistant',
        content: payload,
        createdAt: now,
        status: 'done',
        modelId: payload,
        remote: index < 20 ? { model: payload, content: payload, status: 'done', incomplete: false } : undefined,
      },
    ]);
    const everything = { id: id('c'), title: 'All payloads', createdAt: now + 10, updatedAt: now + 10, messages };
    const badImages = HOSTILE_IMAGE_DATA.map((dataUrl, index) => ({
      id: id('c'),
      title: ONE_LINE_PAYLOADS[index] ?? `bad ${index}`,
      createdAt: now,
      updatedAt: now,
      messages: [{ id: id('u'), role: 'user', content: 'look', createdAt: now, images: [{ id: id('i'), name: XSS_PAYLOADS[index], dataUrl, width: 1, height: 1 }] }],
    }));
    const report = await importConversations([everything, ...titled, ...badImages]);
    expect(report).toContain(`Imported ${titled.length + 1} conversations`);
    expect(report).toContain(`${badImages.length} rejected`);
    // The rejected conversations are named by their payload titles, as text.
    for (const bad of badImages) expect(report).toContain(bad.title);

    const titles = page.locator('nav[aria-labelledby="conversations-heading"] li .open');
    await expect.poll(() => titles.count()).toBeGreaterThanOrEqual(titled.length + 1);
    const shownTitles = (await titles.allInnerTexts()).map(spaced);
    for (const payload of ONE_LINE_PAYLOADS) expect(shownTitles).toContain(spaced(payload));
    await expectInert();
    reportFault('Imported conversation titles: 156 XSS payloads', 'the titles as text in the list', 'every conversation');

    await titles.filter({ hasText: 'All payloads' }).first().click();
    const assistant = page.locator('[data-testid="message"][data-role="assistant"]');
    await expect.poll(() => assistant.count()).toBe(XSS_PAYLOADS.length);
    const user = page.locator('[data-testid="message"][data-role="user"]').getByTestId('message-content');
    expect(await user.first().innerText()).toBe(XSS_PAYLOADS[0]);
    await expect.poll(() => page.getByTestId('message-images').locator('img').count()).toBe(20);
    const alts = await page.getByTestId('message-images').locator('img').evaluateAll((images) => images.map((image) => image.getAttribute('alt') ?? ''));
    expect(alts).toEqual(XSS_PAYLOADS.slice(0, 20).map((payload) => `Attached image: ${payload}`));
    expect(await page.getByTestId('remote-content').count()).toBe(20);
    for (const box of await assistant.all()) await box.hover({ force: true }).catch(() => undefined);
    await expectInert();
    reportFault('Imported messages, model names and image names: XSS payloads', 'shown as text (answers as sanitised Markdown)', 'the whole conversation');
    reportFault('Imported image data that is not a picture (javascript:, SVG, HTML, HTML named PNG, a URL)', 'the conversation is rejected with the reason, named by its title', 'the other conversations');
  });

  it('sideload: payload file names are skipped, payload config.json and manifest fields are shown as text', async () => {
    const { page } = stack.session;
    await setModelSource(page, stack.mirror.url);
    await addCustomRepo(page, TINY_REPO);
    await openStoragePanel(page);

    // A good folder with extra files named like payloads: imported, the extras left out.
    const named = await copyTinyModel(work, 'named');
    for (const name of FILE_NAME_PAYLOADS.slice(0, 40)) await writeFile(path.join(named, name), 'x');
    await page.getByTestId('sideload-folder').setInputFiles(named);
    await page.locator('[data-testid="sideload-done"], [data-testid="sideload-error"]').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('sideload-error').count()).toBe(0);
    expect(await storedRepos(page)).toEqual([TINY_REPO]);
    await expectInert();
    reportFault('Sideloaded folder with files named like XSS payloads', 'the model imports; the extra files are left out', 'the model files');

    const error = page.getByTestId('sideload-error');
    const configPayloads = ONE_LINE_PAYLOADS.slice(0, 3);
    for (const payload of configPayloads) {
      const folder = await copyTinyModel(work, id('config'));
      const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(path.join(folder, 'config.json'), JSON.stringify({ ...config, model_type: payload, architectures: [payload] }));
      await page.getByTestId('sideload-folder').setInputFiles(folder);
      await expect.poll(() => error.innerText().catch(() => '')).toContain(payload);
      await expectInert();
    }
    reportFault('Sideloaded config.json whose model_type is an XSS payload', 'the import is refused, naming config.json and the value as text', 'the model already stored');

    const manifested = await copyTinyModel(work, 'manifest');
    const repoPayload = ONE_LINE_PAYLOADS[1] ?? '';
    await writeFile(
      path.join(manifested, 'qwen-chat-manifest.json'),
      JSON.stringify({ format: 'qwen-chat-model/1', repo: repoPayload, files: [] }),
    );
    await page.getByTestId('sideload-folder').setInputFiles(manifested);
    await expect.poll(() => error.innerText().catch(() => '')).toContain(repoPayload);
    await expectInert();
    reportFault('Sideloaded manifest whose repo is an XSS payload', 'the import is refused, naming the repo as text', 'the model already stored');
    expect(await storedRepos(page)).toEqual([TINY_REPO]);
  });

  it('a model repo id typed by the user (or copied from a mirror) that is a payload is refused as text', async () => {
    const { page } = stack.session;
    await openSettings(page);
    const source = page.locator('details', { has: page.locator('summary', { hasText: 'Model source' }) });
    const message = source.locator('p[aria-live="polite"]');
    for (const payload of ONE_LINE_PAYLOADS.slice(0, 12)) {
      await addCustomRepo(page, payload);
      await expect.poll(async () => spaced(await message.innerText())).toContain(`"${spaced(payload)}" is not a model repo id`);
    }
    await expectInert();
    reportFault('Custom model repo id that is an XSS payload', 'refused: "… is not a model repo id", the id as text', 'the model list and the selection');
  });

  it('a mirror that serves a config.json with payload fields: the load fails with the value as text', async () => {
    const { page } = stack.session;
    const payload = ONE_LINE_PAYLOADS[1] ?? '';
    await cp(path.join(GENERATED_MODELS_DIR, ...TINY_REPO.split('/')), HOSTILE_MIRROR_DIR, { recursive: true });
    const configPath = path.join(HOSTILE_MIRROR_DIR, 'config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    await writeFile(configPath, JSON.stringify({ ...config, model_type: payload, architectures: [payload], _name_or_path: payload }));
    await addCustomRepo(page, HOSTILE_MIRROR_REPO);
    await loadSelected(page);
    const outcome = page.locator('[data-testid="load-error"], [data-testid="model-ready"]');
    await outcome.first().waitFor({ timeout: LOAD_TIMEOUT_MS });
    const error = page.getByTestId('load-error');
    const shown = (await error.count()) > 0 ? await error.innerText() : `(loaded) ${await page.getByTestId('model-ready').innerText()}`;
    expect(await error.count()).toBe(1);
    expect(spaced(shown)).toContain(spaced(payload));
    await expectInert();
    reportFault('Mirror serves a config.json whose model_type is an XSS payload', '"Could not load the model", the engine\'s message with the value as text', 'the conversation and the other models');
  });
});

afterAll(() => {
  console.info('[hostile figures]', JSON.stringify({ payloads: XSS_PAYLOADS.length, fileNames: FILE_NAME_PAYLOADS.length, oneLine: ONE_LINE_PAYLOADS.length }));
});
