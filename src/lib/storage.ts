// The only module that touches idb-keyval: conversations, settings, benchmark results and the builds the user chose
// per model, in their own IndexedDB store, under versioned keys. Everything read back is validated; a record that does not parse is skipped and counted (the
// caller tells the user), never allowed to break the app, and never overwritten unless the user saves over it.
// A stored image that is not a well-formed image data URL is dropped from its message (the text stays), so nothing
// else can reach an <img>.
import { createStore, del, get, getMany, set, update, type UseStore } from 'idb-keyval';
import { checkImageDataUrl } from './images';
import { FIRST_SIDE_ID } from './remote/side-presets';
import type { ChatImage, ChatMessage, Conversation, Settings } from './types';
import { isRecord } from '../../common/guards';
import type { BenchResult } from '../../common/bench/result';

const KEY_INDEX = 'v1:conversation-index';
const KEY_SETTINGS = 'v1:settings';
// Written only when the user ticks "remember on this device"; deleted when they untick it or clear the key.
const KEY_REMOTE_API_KEY = 'v1:remote-api-key';
const conversationKey = (id: string): string => `v1:conversation:${id}`;
const KEY_BENCH_RESULTS = 'v1:bench-results';
// Scorecard runs measured here and those imported from other devices; validated by the scorecard's own parser.
const KEY_SCORECARD_RUNS = 'v1:scorecard-runs';
// A random id of this browser profile, written once: results measured here carry it (see common/bench/result.ts).
const KEY_BENCH_DEVICE_ID = 'v1:bench-device-id';
// model key -> build id: the build the user chose for a model over the auto-pick.
const KEY_BUILD_CHOICES = 'v1:build-choices';

let store: UseStore | undefined;
function appStore(): UseStore {
  store ??= createStore('qwen-chat-app', 'data');
  return store;
}

function isMessage(value: unknown): value is ChatMessage {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    (value.role === 'user' || value.role === 'assistant') &&
    typeof value.content === 'string' &&
    typeof value.createdAt === 'number'
  );
}

export function isConversation(value: unknown): value is Conversation {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.title === 'string' &&
    typeof value.createdAt === 'number' &&
    typeof value.updatedAt === 'number' &&
    Array.isArray(value.messages) &&
    value.messages.every(isMessage)
  );
}

function isStoredImage(value: unknown): value is ChatImage {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    typeof value.width === 'number' &&
    typeof value.height === 'number' &&
    typeof value.dataUrl === 'string' &&
    checkImageDataUrl(value.dataUrl) === undefined
  );
}

/** Keeps only well-formed images; returns how many were dropped. */
function dropBadImages(conversation: Conversation): number {
  let dropped = 0;
  for (const message of conversation.messages) {
    const images: unknown = message.images;
    if (images === undefined) continue;
    const kept = Array.isArray(images) ? images.filter(isStoredImage) : [];
    dropped += (Array.isArray(images) ? images.length : 1) - kept.length;
    if (kept.length > 0) message.images = kept;
    else delete message.images;
  }
  return dropped;
}

export interface LoadedConversations {
  /** Newest first. */
  conversations: Conversation[];
  /** Stored records that could not be read and were left out: damaged conversations, or a damaged index. */
  leftOut: number;
}

export async function loadConversations(): Promise<LoadedConversations> {
  const ids = await get<unknown>(KEY_INDEX, appStore());
  if (ids === undefined) return { conversations: [], leftOut: 0 };
  // An index that is not a list names nothing we can find: it counts as one record left out.
  if (!Array.isArray(ids)) return { conversations: [], leftOut: 1 };
  const keys = ids.filter((id): id is string => typeof id === 'string');
  const values = await getMany<unknown>(keys.map(conversationKey), appStore());
  const conversations = values.filter(isConversation);
  const leftOut = ids.length - conversations.length;
  if (leftOut > 0) console.warn(`[storage] skipped ${leftOut} unreadable conversation(s)`);
  const droppedImages = conversations.reduce((sum, conversation) => sum + dropBadImages(conversation), 0);
  if (droppedImages > 0) console.warn(`[storage] left out ${droppedImages} unreadable image(s)`);
  return { conversations: conversations.sort((a, b) => b.updatedAt - a.updatedAt), leftOut };
}

/** Writes one conversation (a plain object: pass `$state.snapshot`, not a proxy) and makes sure the index names it. */
export async function saveConversation(conversation: Conversation): Promise<void> {
  await set(conversationKey(conversation.id), conversation, appStore());
  // Read and write the index in one transaction: two tabs adding a conversation at once must not drop either.
  await update<unknown>(KEY_INDEX, (ids) => {
    const known = knownIds(ids);
    return known.includes(conversation.id) ? known : [...known, conversation.id];
  }, appStore());
}

function knownIds(ids: unknown): string[] {
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

export async function deleteConversation(id: string): Promise<void> {
  await update<unknown>(KEY_INDEX, (ids) => knownIds(ids).filter((value) => value !== id), appStore());
  await del(conversationKey(id), appStore());
}

/** Raw stored settings; `parseSettings` in settings.ts validates them field by field. */
export async function loadSettings(): Promise<unknown> {
  return get<unknown>(KEY_SETTINGS, appStore());
}

export async function saveSettings(settings: Settings): Promise<void> {
  await set(KEY_SETTINGS, settings, appStore());
}

// One key per remote side, found by the side's id. Keys remembered before there were several sides sit under the
// old name and belong to the first side (FIRST_SIDE_ID): they are moved on first read.
const remoteApiKeyKey = (sideId: string): string => `${KEY_REMOTE_API_KEY}:${sideId}`;

export async function loadRemoteApiKey(sideId: string): Promise<string> {
  const value = await get<unknown>(remoteApiKeyKey(sideId), appStore());
  if (typeof value === 'string') return value;
  if (sideId !== FIRST_SIDE_ID) return '';
  const legacy = await get<unknown>(KEY_REMOTE_API_KEY, appStore());
  if (typeof legacy !== 'string') return '';
  await set(remoteApiKeyKey(sideId), legacy, appStore());
  await del(KEY_REMOTE_API_KEY, appStore());
  return legacy;
}

export async function saveRemoteApiKey(sideId: string, key: string): Promise<void> {
  await set(remoteApiKeyKey(sideId), key, appStore());
}

export async function deleteRemoteApiKey(sideId: string): Promise<void> {
  await del(remoteApiKeyKey(sideId), appStore());
  if (sideId === FIRST_SIDE_ID) await del(KEY_REMOTE_API_KEY, appStore());
}

export interface LoadedBenchResults<T = BenchResult> {
  results: T[];
  /** Stored results that could not be read and were left out. */
  leftOut: number;
}

/**
 * The stored benchmark results that `parse` accepts: the Benchmark page checks every field (common/bench/result.ts),
 * the auto-pick at start only what it reads, so the full check stays out of the initial JS.
 */
export async function loadBenchResults<T>(parse: (value: unknown) => T | undefined): Promise<LoadedBenchResults<T>> {
  const stored = await get<unknown>(KEY_BENCH_RESULTS, appStore());
  if (stored === undefined) return { results: [], leftOut: 0 };
  if (!Array.isArray(stored)) return { results: [], leftOut: 1 };
  const results = stored.map(parse).filter((result): result is T => result !== undefined);
  const leftOut = stored.length - results.length;
  if (leftOut > 0) console.warn(`[storage] skipped ${leftOut} unreadable benchmark result(s)`);
  return { results, leftOut };
}

/** Writes every kept result (plain objects: pass `$state.snapshot`, not a proxy). */
export async function saveBenchResults(results: readonly BenchResult[]): Promise<void> {
  await set(KEY_BENCH_RESULTS, results, appStore());
}

/** This browser profile's benchmark id, made on first use. */
export async function benchDeviceId(): Promise<string> {
  const stored = await get<unknown>(KEY_BENCH_DEVICE_ID, appStore());
  if (typeof stored === 'string' && stored !== '') return stored;
  const id = crypto.randomUUID();
  await set(KEY_BENCH_DEVICE_ID, id, appStore());
  return id;
}

export async function loadBuildChoices(): Promise<Record<string, string>> {
  const stored = await get<unknown>(KEY_BUILD_CHOICES, appStore());
  if (!isRecord(stored)) return {};
  return Object.fromEntries(Object.entries(stored).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export async function saveBuildChoices(choices: Record<string, string>): Promise<void> {
  await set(KEY_BUILD_CHOICES, choices, appStore());
}

/** The stored scorecard runs as written; the caller validates them (src/lib/scorecard/). */
export async function loadScorecardRuns(): Promise<unknown> {
  return get<unknown>(KEY_SCORECARD_RUNS, appStore());
}

export async function saveScorecardRuns(runs: readonly unknown[]): Promise<void> {
  await set(KEY_SCORECARD_RUNS, runs, appStore());
}
