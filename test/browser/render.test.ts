// Rendering of model output in real Chromium, through the built app's real render path (conversations seeded in
// IndexedDB before the app loads): GFM Markdown with highlighted code and a working Copy button, the thinking block
// (folded with its duration once the answer came, open when thinking never finished, nothing for an empty block),
// and an XSS corpus of model output (local and remote answers) from which nothing runs or survives, plus images
// with hostile names and data.
import { beforeAll, describe, expect, it } from 'vitest';
import { FORBIDDEN_TAGS, XSS_PAYLOADS } from '../fixtures/xss-payloads';
import { SAMPLE_ANSWER } from '../fixtures/sample-answer';
import { APP_URL, useStack } from './harness';
import { assistantMessage, conversation, sampleImage, seedConversations, userMessage, userMessageWithImages } from './seed';

const stack = useStack({ webgpu: false });

beforeAll(async () => {
  await stack.session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: APP_URL.replace(/\/$/, '') });
});

async function openApp(): Promise<void> {
  await stack.session.page.goto(APP_URL);
  await stack.session.page.getByTestId('messages').waitFor();
}

describe('Markdown answers', () => {
  it('renders a table, lists and a highlighted code block, and Copy puts the code on the clipboard', async () => {
    const { page } = stack.session;
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
    expect(stack.session.pageErrors).toEqual([]);
  });

  it('keeps the user message as plain text', async () => {
    const { page } = stack.session;
    await seedConversations(page, [conversation('Plain', [userMessage('**not bold** <b>nor this</b>'), assistantMessage('ok')])]);
    await openApp();
    const user = page.locator('[data-testid="message"][data-role="user"]').getByTestId('message-content');
    expect(await user.innerText()).toBe('**not bold** <b>nor this</b>');
    expect(await user.locator('b, strong').count()).toBe(0);
  });
});

describe('thinking', () => {
  it('folds a finished think block with its duration, opens an unfinished one, and hides an empty one', async () => {
    const { page } = stack.session;
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
    const { page, context } = stack.session;
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
    const loadErrors = stack.session.pageErrors.filter((error) => error.startsWith('Failed to load resource'));
    if (loadErrors.length) console.warn('[render] resource load errors', JSON.stringify(loadErrors));
    expect(loadErrors.filter((error) => /\/x(?:[?#\s]|$)/.test(error))).toEqual([]);
    expect(stack.session.pageErrors.filter((error) => !error.startsWith('Failed to load resource'))).toEqual([]);
  });
});

describe('hostile images', () => {
  it('shows payload names as text, drops stored image data that is not a picture, and runs nothing', async () => {
    const { page, context } = stack.session;
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const payloadTargets: string[] = [];
    context.on('request', (request) => {
      if (/\/x(?:[?#]|$)/.test(new URL(request.url()).pathname)) payloadTargets.push(request.url());
    });
    const svg = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=1"/>').toString('base64')}`;
    const hostileData = ['javascript:window.__xss=1', svg, `${APP_URL}x`, 'data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg=='];
    const named = XSS_PAYLOADS.slice(0, 10).map((payload) => sampleImage(payload));
    await seedConversations(page, [
      conversation('Hostile images', [
        userMessageWithImages('named', named.slice(0, 4)),
        assistantMessage('ok'),
        userMessageWithImages('more names', named.slice(4)),
        assistantMessage('ok'),
        userMessageWithImages('bad data', hostileData.map((dataUrl, index) => sampleImage(`bad ${index}`, dataUrl))),
      ]),
    ]);
    await openApp();
    const images = page.getByTestId('message-images').locator('img');
    await expect.poll(() => images.count()).toBe(named.length);
    await page.waitForTimeout(500);
    const found = await page.evaluate(() => ({
      sources: Array.from(document.querySelectorAll('[data-testid="message"] img'), (image) => image.getAttribute('src') ?? ''),
      alts: Array.from(document.querySelectorAll('[data-testid="message"] img'), (image) => image.getAttribute('alt') ?? ''),
      handlers: Array.from(document.querySelectorAll('[data-testid="message"] *')).flatMap((element) =>
        Array.from(element.attributes).filter((attribute) => attribute.name.startsWith('on')).map((attribute) => attribute.name),
      ),
      flag: Reflect.get(window, '__xss') === undefined ? null : String(Reflect.get(window, '__xss')),
    }));
    expect(found.sources.every((source) => source.startsWith('data:image/png;base64,'))).toBe(true);
    expect(found.alts).toEqual(named.map((image) => `Attached image: ${image.name}`));
    expect(found.handlers).toEqual([]);
    expect(found.flag).toBeNull();
    expect(dialogs).toEqual([]);
    expect(payloadTargets).toEqual([]);
    // The message whose images were all bad keeps its text.
    expect(await page.locator('[data-testid="message"][data-role="user"]').last().innerText()).toContain('bad data');
  });
});
