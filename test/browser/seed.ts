// Seeds the app's conversation store before the app loads, so browser tests can feed "model output" without a
// model: the seeded messages take exactly the render path a streamed or restored answer takes. The layout mirrors
// src/lib/storage.ts (idb-keyval: DB `qwen-chat-app`, store `data`, keys `v1:conversation-index` and
// `v1:conversation:<id>`). The seeding page is a blank same-origin page served by a route, not the app.
import type { Page } from 'playwright-core';
import type { ChatImage, ChatMessage, Conversation } from '../../src/lib/types';
import { APP_URL } from './harness';

const SEED_URL = `${APP_URL}__seed__`;

let counter = 0;
function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function userMessage(content: string): ChatMessage {
  return { id: nextId('u'), role: 'user', content, createdAt: Date.now() };
}

/** A valid 1x1 PNG, enough for render and accessibility checks (the image tests draw real pictures). */
const ONE_PIXEL_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export function sampleImage(name = 'photo.png', dataUrl = ONE_PIXEL_PNG, width = 320, height = 240): ChatImage {
  return { id: nextId('i'), name, dataUrl, width, height };
}

export function userMessageWithImages(content: string, images: ChatImage[]): ChatMessage {
  return { ...userMessage(content), images };
}

export function assistantMessage(content: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id: nextId('a'), role: 'assistant', content, createdAt: Date.now(), status: 'done', modelId: 'Qwen3-0.6B', ...extra };
}

export function conversation(title: string, messages: ChatMessage[], updatedAt = Date.now()): Conversation {
  return { id: nextId('c'), title, createdAt: updatedAt, updatedAt, messages };
}

/** Replaces every stored conversation with `conversations` (the first shown is the most recently updated). */
export async function seedConversations(page: Page, conversations: Conversation[]): Promise<void> {
  await page.route(SEED_URL, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>seed</title>' }));
  await page.goto(SEED_URL);
  await page.evaluate(async (records) => {
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open('qwen-chat-app');
      request.onupgradeneeded = () => request.result.createObjectStore('data');
      request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
      request.onsuccess = () => {
        const db = request.result;
        const transaction = db.transaction('data', 'readwrite');
        const store = transaction.objectStore('data');
        store.put(records.map((record) => record.id), 'v1:conversation-index');
        for (const record of records) store.put(record, `v1:conversation:${record.id}`);
        transaction.oncomplete = () => {
          db.close();
          resolve();
        };
        transaction.onerror = () => reject(transaction.error ?? new Error('seeding failed'));
      };
    });
  }, conversations);
  await page.unroute(SEED_URL);
}

/** Titles of the conversations on disk that the stored index names (what a reload will show). */
export async function storedConversationTitles(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const request = indexedDB.open('qwen-chat-app');
        request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
        request.onsuccess = () => {
          const db = request.result;
          const store = db.transaction('data', 'readonly').objectStore('data');
          const index = store.get('v1:conversation-index');
          index.onsuccess = () => {
            const ids: unknown = index.result;
            const titles: string[] = [];
            const list = Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
            if (list.length === 0) {
              db.close();
              resolve(titles);
              return;
            }
            let left = list.length;
            for (const id of list) {
              const record = store.get(`v1:conversation:${id}`);
              record.onsuccess = () => {
                const value: unknown = record.result;
                if (typeof value === 'object' && value !== null && 'title' in value && typeof value.title === 'string') titles.push(value.title);
                left -= 1;
                if (left === 0) {
                  db.close();
                  resolve(titles);
                }
              };
            }
          };
        };
      }),
  );
}
