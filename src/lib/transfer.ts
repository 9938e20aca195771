// Export and import of conversations. The JSON export is versioned and lossless: exporting, clearing and importing
// it gives back the same bytes on the next export. An imported file is untrusted: every conversation is checked
// field by field, only known fields are kept, what fails is reported with its reason, and existing conversations
// are never overwritten (a different conversation with a clashing id is imported under a new id). Images travel
// inside the JSON as data URLs and are checked like everything else (type, base64, magic bytes, size).
import { MAX_IMAGES_PER_MESSAGE, checkImageDataUrl } from './images';
import type {
  BlindTurn,
  ChatImage,
  ChatMessage,
  Conversation,
  MessageStatus,
  RemoteAnswer,
} from './types';
import { isAppErrorName, type ShownError } from './errors';
import type { GenerationMetrics } from '../../common/protocol';
import { isRecord } from '../../common/guards';

export const EXPORT_FORMAT = 'qwen-webgpu-chat/conversations';
/** Version 2 added images on user messages; version 1 files (no images) are still read. */
export const EXPORT_VERSION = 2;
const READABLE_VERSIONS: readonly unknown[] = [1, 2];
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export interface ImportReport {
  imported: Conversation[];
  duplicates: number;
  renamedIds: number;
  rejected: { index: number; title: string; reason: string }[];
  /** Set when the file as a whole could not be read; nothing is imported then. */
  fileError?: string;
}

/** The form conversations are exported and compared in: checked (known fields, fixed key order), newest first. */
function canonical(conversations: readonly Conversation[]): Conversation[] {
  return conversations
    .map((conversation) => {
      const checked = checkConversation(conversation);
      return checked.ok ? checked.value : conversation;
    })
    .sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
}

export function exportJson(conversations: readonly Conversation[]): string {
  const body = { format: EXPORT_FORMAT, version: EXPORT_VERSION, conversations: canonical(conversations) };
  return `${JSON.stringify(body, null, 2)}\n`;
}

export function exportMarkdown(conversation: Conversation): string {
  const lines = [`# ${conversation.title}`, ''];
  if (conversation.systemPrompt) lines.push(`> System: ${conversation.systemPrompt}`, '');
  for (const message of conversation.messages) {
    if (message.role === 'user') {
      const images = (message.images ?? []).map((image) => `![${image.name.replace(/[[\]]/g, '')}](${image.dataUrl})`);
      lines.push('## You', '', ...(images.length > 0 ? [images.join('\n'), ''] : []), message.content, '');
      continue;
    }
    lines.push(`## ${message.modelId || 'Local model'}`, '', message.content, '');
    if (message.remote) lines.push(`## ${message.remote.model}`, '', message.remote.content, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation: each checker returns a clean copy holding only known fields, or a reason.
// ---------------------------------------------------------------------------------------------------------------

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const STATUSES: readonly MessageStatus[] = ['streaming', 'done', 'stopped', 'error'];
const isStatus = (value: unknown): value is MessageStatus => STATUSES.some((status) => status === value);

function checkMetrics(value: unknown): GenerationMetrics | undefined {
  if (!isRecord(value)) return undefined;
  const keys = ['promptTokens', 'outputTokens', 'timeToFirstTokenMs', 'prefillTokensPerS', 'decodeTokensPerS', 'totalMs'] as const;
  if (!keys.every((key) => isFiniteNumber(value[key]))) return undefined;
  return {
    promptTokens: Number(value.promptTokens),
    outputTokens: Number(value.outputTokens),
    timeToFirstTokenMs: Number(value.timeToFirstTokenMs),
    prefillTokensPerS: Number(value.prefillTokensPerS),
    decodeTokensPerS: Number(value.decodeTokensPerS),
    totalMs: Number(value.totalMs),
  };
}

/** A stored error, kept only when its name is one the app knows (so views can trust `name`). */
function checkError(value: unknown): ShownError | undefined {
  if (!isRecord(value) || !isAppErrorName(value.name) || typeof value.message !== 'string') return undefined;
  return { name: value.name, message: value.message };
}

function checkRemote(value: unknown): Checked<RemoteAnswer> {
  if (!isRecord(value)) return { ok: false, reason: 'remote answer is not an object' };
  if (typeof value.model !== 'string' || typeof value.content !== 'string') {
    return { ok: false, reason: 'remote answer has no model or content' };
  }
  if (!isStatus(value.status) || typeof value.incomplete !== 'boolean') {
    return { ok: false, reason: 'remote answer has a bad status' };
  }
  const remote: RemoteAnswer = { model: value.model, content: value.content, status: value.status, incomplete: value.incomplete };
  const usage = value.usage;
  if (isRecord(usage) && isFiniteNumber(usage.inputTokens) && isFiniteNumber(usage.outputTokens) && isFiniteNumber(usage.reasoningTokens)) {
    remote.usage = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, reasoningTokens: usage.reasoningTokens };
    if (isFiniteNumber(usage.cachedInputTokens)) remote.usage.cachedInputTokens = usage.cachedInputTokens;
  }
  for (const key of ['timeToFirstTokenMs', 'totalMs', 'tokensPerS', 'costUsd'] as const) {
    const figure = value[key];
    if (isFiniteNumber(figure)) remote[key] = figure;
  }
  const error = checkError(value.error);
  if (error) remote.error = error;
  return { ok: true, value: remote };
}

function checkBlind(value: unknown): BlindTurn | undefined {
  if (!isRecord(value) || (value.aIs !== 'local' && value.aIs !== 'remote')) return undefined;
  const blind: BlindTurn = { aIs: value.aIs };
  if (value.vote === 'local' || value.vote === 'remote' || value.vote === 'tie') blind.vote = value.vote;
  return blind;
}

const isPixelSize = (value: unknown): value is number => Number.isInteger(value) && Number(value) > 0 && Number(value) <= 16_384;

function checkImage(value: unknown, index: number): Checked<ChatImage> {
  const where = `image ${index + 1}`;
  if (!isRecord(value)) return { ok: false, reason: `${where} is not an object` };
  if (typeof value.id !== 'string' || !value.id) return { ok: false, reason: `${where} has no id` };
  if (typeof value.name !== 'string') return { ok: false, reason: `${where} has no name` };
  if (!isPixelSize(value.width) || !isPixelSize(value.height)) return { ok: false, reason: `${where} has no valid size` };
  if (typeof value.dataUrl !== 'string') return { ok: false, reason: `${where} has no image data` };
  const problem = checkImageDataUrl(value.dataUrl);
  if (problem) return { ok: false, reason: `${where}: ${problem}` };
  return { ok: true, value: { id: value.id, name: value.name.slice(0, 200), dataUrl: value.dataUrl, width: value.width, height: value.height } };
}

function checkImages(value: unknown): Checked<ChatImage[]> {
  if (!Array.isArray(value)) return { ok: false, reason: 'images is not a list' };
  if (value.length > MAX_IMAGES_PER_MESSAGE) return { ok: false, reason: `more than ${MAX_IMAGES_PER_MESSAGE} images` };
  const images: ChatImage[] = [];
  for (const [index, raw] of value.entries()) {
    const checked = checkImage(raw, index);
    if (!checked.ok) return checked;
    images.push(checked.value);
  }
  return { ok: true, value: images };
}

function checkMessage(value: unknown, index: number): Checked<ChatMessage> {
  const where = `message ${index + 1}`;
  if (!isRecord(value)) return { ok: false, reason: `${where} is not an object` };
  if (typeof value.id !== 'string' || !value.id) return { ok: false, reason: `${where} has no id` };
  if (value.role !== 'user' && value.role !== 'assistant') return { ok: false, reason: `${where} has an unknown role` };
  if (typeof value.content !== 'string') return { ok: false, reason: `${where} has no text` };
  if (!isFiniteNumber(value.createdAt)) return { ok: false, reason: `${where} has no date` };
  const message: ChatMessage = { id: value.id, role: value.role, content: value.content, createdAt: value.createdAt };
  if (value.role === 'user') {
    if (value.images === undefined) return { ok: true, value: message };
    const images = checkImages(value.images);
    if (!images.ok) return { ok: false, reason: `${where}: ${images.reason}` };
    if (images.value.length > 0) message.images = images.value;
    return { ok: true, value: message };
  }
  // An answer that was still streaming when exported can never finish: import it as stopped.
  if (isStatus(value.status)) message.status = value.status === 'streaming' ? 'stopped' : value.status;
  if (typeof value.modelId === 'string') message.modelId = value.modelId;
  if (value.device === 'webgpu' || value.device === 'wasm') message.device = value.device;
  if (value.finishReason === 'stop' || value.finishReason === 'length' || value.finishReason === 'aborted') {
    message.finishReason = value.finishReason;
  }
  const metrics = checkMetrics(value.metrics);
  if (metrics) message.metrics = metrics;
  const error = checkError(value.error);
  if (error) message.error = error;
  if (isFiniteNumber(value.thinkingMs)) message.thinkingMs = value.thinkingMs;
  for (const key of ['imagesLeftOut', 'turnsLeftOut'] as const) {
    const count = value[key];
    if (Number.isInteger(count) && Number(count) > 0) message[key] = Number(count);
  }
  if (value.remote !== undefined) {
    const remote = checkRemote(value.remote);
    if (!remote.ok) return { ok: false, reason: `${where}: ${remote.reason}` };
    message.remote = remote.value;
  }
  const blind = checkBlind(value.blind);
  if (blind) message.blind = blind;
  return { ok: true, value: message };
}

interface ConversationFields {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messages: unknown[];
}

/** A conversation's own fields, or every problem with them, each in its own words (a file often has several). */
function checkConversationFields(value: Record<string, unknown>): Checked<ConversationFields> {
  const { id, title, createdAt, updatedAt, messages } = value;
  const problems: string[] = [];
  if (typeof id !== 'string' || !id) problems.push('no id');
  if (typeof title !== 'string') problems.push(title === undefined ? 'no title' : 'title is not text');
  if (!isFiniteNumber(createdAt)) problems.push(createdAt === undefined ? 'no createdAt date' : 'createdAt is not a date');
  if (!isFiniteNumber(updatedAt)) problems.push(updatedAt === undefined ? 'no updatedAt date' : 'updatedAt is not a date');
  if (!Array.isArray(messages)) problems.push(messages === undefined ? 'no messages' : 'messages is not a list');
  // The type tests again, so the compiler narrows; they fail exactly when a problem was named above.
  const typed = typeof id === 'string' && typeof title === 'string' && isFiniteNumber(createdAt) && isFiniteNumber(updatedAt);
  if (problems.length > 0 || !typed || !Array.isArray(messages)) return { ok: false, reason: problems.join('; ') };
  return { ok: true, value: { id, title, createdAt, updatedAt, messages } };
}

export function checkConversation(value: unknown): Checked<Conversation> {
  if (!isRecord(value)) return { ok: false, reason: 'not an object' };
  const fields = checkConversationFields(value);
  if (!fields.ok) return fields;
  const messages: ChatMessage[] = [];
  for (const [index, raw] of fields.value.messages.entries()) {
    const checked = checkMessage(raw, index);
    if (!checked.ok) return checked;
    messages.push(checked.value);
  }
  const { id, title, createdAt, updatedAt } = fields.value;
  const conversation: Conversation = { id, title, createdAt, updatedAt, messages };
  if (typeof value.systemPrompt === 'string') conversation.systemPrompt = value.systemPrompt;
  return { ok: true, value: conversation };
}

/** Reads an export file against the conversations already stored; writes nothing. */
export function parseImport(text: string, existing: readonly Conversation[], newId: () => string): ImportReport {
  const report: ImportReport = { imported: [], duplicates: 0, renamedIds: 0, rejected: [] };
  if (text.length > MAX_IMPORT_BYTES) return { ...report, fileError: 'The file is larger than 50 MB.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ...report, fileError: 'The file is not valid JSON.' };
  }
  if (!isRecord(parsed) || parsed.format !== EXPORT_FORMAT) {
    return { ...report, fileError: 'The file is not a conversation export of this app.' };
  }
  if (!READABLE_VERSIONS.includes(parsed.version)) {
    return { ...report, fileError: `The file is export version ${String(parsed.version)}; this app reads versions 1 and ${EXPORT_VERSION}.` };
  }
  if (!Array.isArray(parsed.conversations)) return { ...report, fileError: 'The file has no conversation list.' };

  const byId = new Map(canonical(existing).map((conversation) => [conversation.id, JSON.stringify(conversation)]));
  for (const [index, raw] of parsed.conversations.entries()) {
    const checked = checkConversation(raw);
    if (!checked.ok) {
      const title = isRecord(raw) && typeof raw.title === 'string' ? raw.title : `#${index + 1}`;
      report.rejected.push({ index, title, reason: checked.reason });
      continue;
    }
    const conversation = checked.value;
    const stored = byId.get(conversation.id);
    if (stored === JSON.stringify(conversation)) {
      report.duplicates += 1;
      continue;
    }
    if (stored !== undefined) {
      conversation.id = newId();
      report.renamedIds += 1;
    }
    byId.set(conversation.id, JSON.stringify(conversation));
    report.imported.push(conversation);
  }
  return report;
}
