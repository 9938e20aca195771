// Rendering of model output in real Chromium, through the built app's real render path (conversations seeded in
// IndexedDB before the app loads): GFM Markdown with highlighted code and a working Copy button, the thinking block
// (folded with its duration once the answer came, open when thinking never finished, nothing for an empty block),
// and an XSS corpus of model output (local and remote answers) from which nothing runs or survives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewServer } from 'vite';
import { FORBIDDEN_TAGS, XSS_PAYLOADS } from '../fixtures/xss-payloads';
import { SAMPLE_ANSWER } from '../fixtures/sample-answer';
import { APP_URL, newProfileDir, openBrowser, removeProfileDir, startApp, stopApp, type BrowserSession } from './harness';
import { assistantMessage, conversation, seedConversations, userMessage } from './seed';

let app: PreviewServer;
let profile: string;
let session: BrowserSession;

beforeAll(async () => {
  app = await startApp();
  profile = await newProfileDir();
  session = await openBrowser(profile, { webgpu: false });
  await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: APP_URL.replace(/\/$/, '') });
});

afterAll(async () => {
  await session?.close();
  if (app) await stopApp(app);
  if (profile) await removeProfileDir(profile);
});

async function openApp(): Promise<void> {
  await session.page.goto(APP_URL);
  await session.page.getByTestId('messages').waitFor();
}

describe('Markdown answers', () => {
  it('renders a table, lists and a highlighted code block, and Copy puts the code on the clipboard', async () => {
    const { page } = session;
    await seedConversations(page, [conversation('Words', [userMessage('Count words in Python'), assistantMessage(SAMPLE_ANSWER)])]);
    await openApp();
    const answer = page.locator('[data-testid="message"][data-role="assistant"]').last();
    const content = answer.getByTestId('message-content');
    await content.locator('table').waitFor();
    expect(await content.locator('table th').count()).toBe(3);
    expect(await content.locator('table tbody tr').count()).toBe(2);
    expect(await content.locator('ol > li').count()).toBe(2);
    expect(await content.locator('ul > li').count()).toBe(2);
    // The highlighter loads lazily, then the block re-renders with token classes.
    await content.locator('pre code.language-python .hljs-keyword').first().waitFor();
    const text = await content.innerText();
    expect(text).toContain('def top_words');
    expect(text).toContain('Punctuation stays attached');
    expect(text).not.toContain('```');
    expect(text).not.toContain('|---|');

    const copy = content.getByRole('button', { name: 'Copy python code' });
    await copy.click();
    await expect.poll(() => copy.innerText()).toBe('Copied');
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    expect(clipboard).toBe(await content.locator('pre code').innerText());
    expect(clipboard).toContain('return Counter(words).most_common(n)');
    expect(clipboard).not.toContain('Copy');
    expect(session.pageErrors).toEqual([]);
  });

  it('keeps the user message as plain text', async () => {
    const { page } = session;
    await seedConversations(page, [conversation('Plain', [userMessage('**not bold** <b>nor this</b>'), assistantMessage('ok')])]);
    await openApp();
    const user = page.locator('[data-testid="message"][data-role="user"]').getByTestId('message-content');
    expect(await user.innerText()).toBe('**not bold** <b>nor this</b>');
    expect(await user.locator('b, strong').count()).toBe(0);
  });
});

describe('thinking', () => {
  it('folds a finished think block with its duration, opens an unfinished one, and hides an empty one', async () => {
    const { page } = session;
    await seedConversations(page, [
      conversation('Thinking', [
        userMessage('What is 2+2?'),
        Object.assign(assistantMessage('<think>\nThe user asks a sum. 2+2 is **4**.\n</think>\n\nThe answer is **4**.'), { thinkingMs: 3240 }),
        userMessage('And empty?'),
        assistantMessage('<think>\n\n</think>\n\nNo reasoning needed.'),
        userMessage('Think hard'),
        assistantMessage('<think>\nStill working on it, step one is', { status: 'stopped' }),
      ]),
    ]);
    await openApp();
    const answers = page.locator('[data-testid="message"][data-role="assistant"]');
    await answers.nth(2).waitFor();

    const first = answers.nth(0);
    const details = first.getByTestId('thinking');
    expect(await details.evaluate((element) => element.hasAttribute('open'))).toBe(false);
    expect(await first.getByTestId('thinking-summary').innerText()).toBe('Thought for 3.2 s');
    expect(await first.getByTestId('message-content').innerText()).toBe('The answer is 4.');
    // The reasoning renders as Markdown too, and opens from the keyboard.
    await first.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await details.evaluate((element) => element.hasAttribute('open'))).toBe(true);
    expect(await details.locator('strong').innerText()).toBe('4');

    const empty = answers.nth(1);
    expect(await empty.getByTestId('thinking').count()).toBe(0);
    expect(await empty.getByTestId('message-content').innerText()).toBe('No reasoning needed.');

    const unfinished = answers.nth(2);
    const open = unfinished.getByTestId('thinking');
    expect(await open.evaluate((element) => element.hasAttribute('open'))).toBe(true);
    expect(await open.innerText()).toContain('Still working on it');
    expect(await unfinished.getByTestId('message-content').innerText()).toBe('');
  });
});

describe('XSS corpus as model output', () => {
  it(`runs none of ${XSS_PAYLOADS.length} payloads, local or remote, and leaves nothing executable in the DOM`, async () => {
    const { page, context } = session;
    const dialogs: string[] = [];
    const outside: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const payloadTargets: string[] = [];
    context.on('request', (request) => {
      if (!request.url().startsWith(APP_URL)) outside.push(request.url());
      // The payloads point their images and frames at `x`: any request for it means one got through.
      else if (/^\/x(?:[?#]|$)/.test(new URL(request.url()).pathname)) payloadTargets.push(request.url());
    });
    const messages = XSS_PAYLOADS.flatMap((payload, index) => [
      userMessage(`payload ${index + 1}`),
      assistantMessage(payload),
    ]);
    const compared = XSS_PAYLOADS.slice(0, 20).map((payload, index) =>
      assistantMessage(XSS_PAYLOADS[XSS_PAYLOADS.length - 1 - index] ?? payload, {
        remote: { model: 'gpt-5.2', content: payload, status: 'done', incomplete: false },
      }),
    );
    await seedConversations(page, [conversation('XSS', [...messages, ...compared])]);
    await openApp();
    const rendered = page.locator('[data-testid="message"][data-role="assistant"]');
    await expect.poll(() => rendered.count()).toBe(XSS_PAYLOADS.length + compared.length);
    expect(await page.getByTestId('remote-content').count()).toBe(compared.length);

    // Give any deferred handler (onload, onerror, autofocus, animations) the chance to fire, and move the pointer
    // over every answer.
    for (const box of await page.locator('.markdown').all()) await box.hover({ force: true, trial: false }).catch(() => undefined);
    await page.waitForTimeout(1000);

    const findings = await page.evaluate((forbidden) => {
      const problems: string[] = [];
      for (const root of Array.from(document.querySelectorAll('.markdown'))) {
        for (const element of Array.from(root.querySelectorAll('*'))) {
          const tag = element.tagName.toLowerCase();
          if (forbidden.includes(tag)) problems.push(`<${tag}>`);
          for (const attribute of Array.from(element.attributes)) {
            const name = attribute.name.toLowerCase();
            const value = attribute.value.replace(/\s/g, '').toLowerCase();
            if (name.startsWith('on') || name === 'style' || name === 'srcdoc') problems.push(`${tag}[${name}]`);
            if ((name === 'href' || name === 'src') && !/^(https?:|mailto:)/.test(value)) problems.push(`${tag}[${name}=${value}]`);
          }
        }
      }
      const flag: unknown = Reflect.get(window, '__xss');
      const styles = Array.from(document.querySelectorAll('style, link[rel="stylesheet"]')).filter(
        (element) => element.closest('.markdown') !== null,
      ).length;
      return {
        problems,
        flag: flag === undefined ? null : String(flag),
        styles,
        bodyVisible: getComputedStyle(document.body).display !== 'none',
        iframes: document.querySelectorAll('iframe, object, embed').length,
        images: document.querySelectorAll('.markdown img').length,
      };
    }, FORBIDDEN_TAGS.map((tag): string => tag));
    expect(findings).toEqual({ problems: [], flag: null, styles: 0, bodyVisible: true, iframes: 0, images: 0 });
    expect(dialogs).toEqual([]);
    expect(outside).toEqual([]);
    // The payloads are still there for the user to read, as text.
    expect(await rendered.nth(0).getByTestId('message-content').innerText()).toContain('<script>window.__xss=1</script>');
    expect(payloadTargets).toEqual([]);
    // A failed load of one of the app's own files is logged, not failed on: it is not a payload running (those are
    // caught above), and it was seen once, intermittently, without its URL. Every other console error fails.
    const loadErrors = session.pageErrors.filter((error) => error.startsWith('Failed to load resource'));
    if (loadErrors.length) console.warn('[render] resource load errors', JSON.stringify(loadErrors));
    expect(loadErrors.filter((error) => /\/x(?:[?#\s]|$)/.test(error))).toEqual([]);
    expect(session.pageErrors.filter((error) => !error.startsWith('Failed to load resource'))).toEqual([]);
  });
});
