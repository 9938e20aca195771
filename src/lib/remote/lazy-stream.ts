// The remote client's entry for the chat: openai.ts (with its SSE parser, request bodies and event interpreters)
// loads with a dynamic import() on the first compared turn, so a chat that never compares never loads it and the
// page's initial JS stays small. The service worker precaches the chunk with the shell, so it loads offline too.
import type { ChatTurn } from '../../../common/protocol';
import { RemoteError } from './errors';
import type * as OpenAi from './openai';
import type { RemoteEvent, RemoteSettings } from './remote-api';

export async function* streamRemote(
  settings: RemoteSettings,
  turns: ChatTurn[],
  signal?: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): AsyncGenerator<RemoteEvent> {
  let client: typeof OpenAi;
  try {
    client = await import('./openai');
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new RemoteError('RemoteNetwork', `The remote client could not be loaded (${detail}). Reload the page to try again.`, { cause });
  }
  yield* client.streamRemote(settings, turns, signal, fetchImpl);
}
