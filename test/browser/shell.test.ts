// The app's shell in real Chromium against the built app: the message box is on screen without scrolling on a
// phone and a wide screen, light and dark, with no and with many conversations; the conversation drawer and the
// model-and-settings sheet open and close by keyboard and give the focus back; the skip link is the first Tab stop
// and the shortcuts reach the message box; hash deep links open their view; a deleted conversation comes back with
// Undo (on disk too); a set system prompt shows in the chat.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { TINY_REPO } from '../fixtures/paths';
import type { Conversation } from '../../src/lib/types';
import { APP_URL, useStack, useTinyModel, waitForModelReady } from './harness';
import { assistantMessage, conversation, seedConversations, storedConversationTitles, userMessage } from './seed';

const stack = useStack({ webgpu: true, mirror: true, serviceWorkers: 'block' });

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

function many(count: number): Conversation[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, index) =>
    conversation(`Conversation number ${index + 1}`, [userMessage(`Question ${index + 1}`), assistantMessage(`Answer ${index + 1}`)], now - index * 1000),
  );
}

async function openApp(page: Page, size: { width: number; height: number }, conversations: Conversation[], hash = ''): Promise<void> {
  await page.setViewportSize(size);
  await seedConversations(page, conversations);
  await page.goto(`${APP_URL}${hash}`);
  await page.getByTestId('open-settings').waitFor();
}

/** Which element has the focus, named by its id or test id. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.activeElement;
    return active instanceof HTMLElement ? active.id || active.dataset.testid || active.tagName : '';
  });
}

function focusIsInside(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((inside) => document.activeElement?.closest(inside) !== null, selector);
}

describe('the message box is always on screen', () => {
  for (const size of [PHONE, DESKTOP]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const count of [0, 30]) {
        it(`${size.width} px, ${colorScheme}, ${count} conversations`, async () => {
          const { page } = stack.session;
          await page.emulateMedia({ colorScheme });
          await openApp(page, size, many(count));
          if (count > 0) await page.locator('[data-testid="message"]').first().waitFor();
          const box = await page.locator('#composer-input').boundingBox();
          expect(box).not.toBeNull();
          if (!box) return;
          expect(box.y).toBeGreaterThanOrEqual(0);
          expect(box.y + box.height).toBeLessThanOrEqual(size.height);
          expect(box.x + box.width).toBeLessThanOrEqual(size.width);
          // Nothing to scroll to reach it: the page itself does not scroll.
          const overflow = await page.evaluate(() => document.documentElement.scrollHeight - document.documentElement.clientHeight);
          expect(overflow).toBeLessThanOrEqual(0);
        });
      }
    }
  }
});

describe('drawer and sheet by keyboard', () => {
  for (const [name, opener, panel] of [
    ['conversation drawer', 'open-conversations', 'dialog#conversations'],
    ['model and settings sheet', 'open-settings', 'dialog#settings'],
  ] as const) {
    it(`the ${name} opens, takes the focus, and closes with Esc back to its opener`, async () => {
      const { page } = stack.session;
      await openApp(page, PHONE, many(3));
      // On a phone both start closed, over nothing.
      expect(await page.locator(panel).count()).toBe(0);
      await page.getByTestId(opener).focus();
      await page.keyboard.press('Enter');
      await page.locator(panel).waitFor();
      expect(await page.getByTestId(opener).getAttribute('aria-expanded')).toBe('true');
      expect(await focusIsInside(page, panel)).toBe(true);
      // A modal: Tab never leaves it for the chat behind.
      for (let step = 0; step < 6; step += 1) {
        await page.keyboard.press('Tab');
        expect(await focusIsInside(page, panel)).toBe(true);
      }
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator(panel).count()).toBe(0);
      await expect.poll(() => focused(page)).toBe(opener);

      // The close button does the same.
      await page.keyboard.press('Enter');
      await page.locator(panel).waitFor();
      await page.locator(`${panel} button.close`).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator(panel).count()).toBe(0);
      await expect.poll(() => focused(page)).toBe(opener);
    });
  }

  it('on a wide screen the list and the settings sit beside the chat and fold from their header buttons', async () => {
    const { page } = stack.session;
    await openApp(page, DESKTOP, many(3));
    await page.locator('aside#conversations').waitFor();
    await page.locator('aside#settings').waitFor();
    await page.getByTestId('open-settings').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('aside#settings').count()).toBe(0);
    expect(await page.getByTestId('open-settings').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    await page.locator('aside#settings').waitFor();
    await page.getByTestId('open-conversations').click();
    expect(await page.getByTestId('open-conversations').getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => page.locator('aside#conversations').count()).toBe(0);
    // The chat takes the room the list left.
    const chatLeft = await page.locator('main').evaluate((element) => element.getBoundingClientRect().left);
    expect(chatLeft).toBe(0);
  });

  it('the keyboard shortcuts list opens from the header and closes with Esc', async () => {
    const { page } = stack.session;
    await openApp(page, PHONE, []);
    await page.getByTestId('open-shortcuts').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('shortcuts-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('Shift');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => focused(page)).toBe('open-shortcuts');
  });
});

describe('views and deep links', () => {
  it('#/storage and #/compare open their view; an unknown hash shows the chat', async () => {
    const { page } = stack.session;
    await openApp(page, DESKTOP, [], '#/storage');
    await page.getByTestId('storage-panel').waitFor();
    expect(await page.locator('nav[aria-label="Views"] a[aria-current="page"]').innerText()).toBe('Storage');
    expect(await page.getByTestId('messages').count()).toBe(0);

    await page.goto(`${APP_URL}#/compare`);
    await page.getByTestId('key-notice').waitFor();
    expect(await page.locator('nav[aria-label="Views"] a[aria-current="page"]').innerText()).toBe('Compare');

    await page.goto(`${APP_URL}#/no-such-view`);
    await page.getByTestId('messages').waitFor();
    expect(await page.locator('nav[aria-label="Views"] a[aria-current="page"]').innerText()).toBe('Chat');

    // The links are real links: following one changes the view without a reload.
    await page.getByRole('link', { name: 'Storage' }).click();
    await page.getByTestId('storage-panel').waitFor();
    expect(new URL(page.url()).hash).toBe('#/storage');
  });

  it('a view whose code cannot be fetched says so by name and how to recover, and the chat still works', async () => {
    const { page } = stack.session;
    // A fresh page load, so the compare view's chunk was never fetched; the server then refuses it.
    await page.route('**/assets/compare-page-*.js', (route) => route.fulfill({ status: 503, body: 'unavailable' }));
    try {
      await openApp(page, DESKTOP, [], '#/compare');
      const error = page.getByTestId('lazy-error');
      await error.waitFor();
      expect(await error.getAttribute('role')).toBe('alert');
      expect(await error.innerText()).toMatch(/^The compare settings could not be loaded \(.+\)\. Reload the page to try again\.$/);
      expect(await page.getByTestId('key-notice').count()).toBe(0);
      await page.getByRole('link', { name: 'Chat' }).click();
      await page.getByTestId('messages').waitFor();
      expect(await page.locator('#composer-input').count()).toBe(1);
    } finally {
      await page.unroute('**/assets/compare-page-*.js');
    }
  });
});

describe('deleting a conversation', () => {
  it('offers Undo, which brings it back, on disk too', async () => {
    const { page } = stack.session;
    await openApp(page, DESKTOP, many(2));
    const list = page.locator('aside#conversations');
    await list.getByRole('button', { name: 'Conversation number 2', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete conversation “Conversation number 2”' }).click();
    await page.getByTestId('undo-toast').waitFor();
    expect(await page.getByTestId('undo-toast').innerText()).toContain('Deleted “Conversation number 2”');
    expect(await list.getByRole('button', { name: 'Conversation number 2', exact: true }).count()).toBe(0);
    await page.getByTestId('undo').click();
    await list.getByRole('button', { name: 'Conversation number 2', exact: true }).waitFor();
    // The list shows it at once; the write to disk follows. A reload before it lands would not be a fair test.
    await expect.poll(() => storedConversationTitles(page)).toContain('Conversation number 2');
    await page.reload();
    await list.getByRole('button', { name: 'Conversation number 2', exact: true }).waitFor();
    await list.getByRole('button', { name: 'Conversation number 2', exact: true }).click();
    await expect.poll(() => page.getByTestId('messages').innerText()).toContain('Answer 2');
  });
});

describe('a system prompt shows in the chat', () => {
  it('shows the line while a prompt is set, not without one', async () => {
    const { page } = stack.session;
    const prompted = { ...conversation('Pirate', [userMessage('Hi'), assistantMessage('Arr')]), systemPrompt: 'Answer like a pirate.' };
    await openApp(page, PHONE, [prompted]);
    await page.locator('[data-testid="message"]').first().waitFor();
    expect(await page.getByTestId('system-prompt-mark').innerText()).toContain('Answer like a pirate.');
    await openApp(page, PHONE, many(1));
    await page.locator('[data-testid="message"]').first().waitFor();
    expect(await page.getByTestId('system-prompt-mark').count()).toBe(0);
  });
});

describe('reaching the message box by keyboard', () => {
  it('the skip link is the first Tab stop', async () => {
    const { page } = stack.session;
    await openApp(page, DESKTOP, many(13));
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('skip-link');
    expect(await page.getByTestId('skip-link').isVisible()).toBe(true);
  });

  it('the skip link, "/" and Ctrl+K move the focus to the message box once a model is ready', async () => {
    const { page } = stack.session;
    await openApp(page, DESKTOP, many(13));
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 4);
    await page.getByTestId('load-button').click();
    await waitForModelReady(page);

    await page.getByTestId('skip-link').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('composer-input');

    await page.getByTestId('open-settings').focus();
    await page.keyboard.press('/');
    await expect.poll(() => focused(page)).toBe('composer-input');
    // Typing "/" in the box is text, not a shortcut.
    await page.keyboard.press('/');
    expect(await page.locator('#composer-input').inputValue()).toBe('/');

    // From another view Ctrl+K comes back to the chat, even while typing in a field.
    await page.getByRole('link', { name: 'Compare' }).click();
    await page.getByLabel(/API key/).focus();
    await page.keyboard.press('Control+k');
    await expect.poll(() => focused(page)).toBe('composer-input');
    expect(new URL(page.url()).hash).toBe('#/');
  });
});
