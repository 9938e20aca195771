// What one tab tells the app's other tabs (same origin, same profile) about the stored models: a model was stored
// (a download or an import finished) or deleted. The weights live in one IndexedDB that every tab's worker shares,
// so a tab that does not hear of a delete would go on believing the files are there. BroadcastChannel carries it;
// where there is none (node, old browsers) the channel says nothing and every tab works alone.
// Messages come from other tabs of the same origin, but are still checked before use.

export type StoreChange = { kind: 'stored' | 'deleted'; repo: string };

export interface TabChannel {
  /** Tells every other tab; this tab's own listeners do not hear it. */
  announce(change: StoreChange): void;
  /** Hears the other tabs' changes; returns the unsubscribe. */
  listen(listener: (change: StoreChange) => void): () => void;
}

export const TAB_CHANNEL_NAME = 'qwen-chat-models';

/** A message from another tab, if it is one this app sends. */
export function parseStoreChange(data: unknown): StoreChange | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const kind: unknown = Reflect.get(data, 'kind');
  const repo: unknown = Reflect.get(data, 'repo');
  if ((kind !== 'stored' && kind !== 'deleted') || typeof repo !== 'string' || repo.length === 0 || repo.length > 300) {
    return undefined;
  }
  return { kind, repo };
}

/** A channel that reaches no one: a lone tab, or a test that does not care. */
export const silentTabChannel: TabChannel = {
  announce: () => undefined,
  listen: () => () => undefined,
};

/** One channel over a BroadcastChannel; a BroadcastChannel never delivers to itself, only to other tabs. */
export function broadcastTabChannel(channel: Pick<BroadcastChannel, 'postMessage' | 'addEventListener' | 'removeEventListener'>): TabChannel {
  return {
    announce(change) {
      channel.postMessage(change);
    },
    listen(listener) {
      const onMessage = (event: Event): void => {
        const change = parseStoreChange((event as MessageEvent).data);
        if (change) listener(change);
      };
      channel.addEventListener('message', onMessage);
      return () => channel.removeEventListener('message', onMessage);
    },
  };
}

let pageChannel: TabChannel | undefined;

/**
 * The page's one channel, shared by whoever announces and whoever listens in this tab (so a tab never hears its
 * own changes); silent outside a page, so unit tests in node never talk to each other through a real channel.
 */
export function pageTabChannel(): TabChannel {
  if (typeof window === 'undefined' || typeof BroadcastChannel !== 'function') return silentTabChannel;
  pageChannel ??= broadcastTabChannel(new BroadcastChannel(TAB_CHANNEL_NAME));
  return pageChannel;
}
