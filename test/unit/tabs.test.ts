// The tab channel (src/lib/tabs.ts) over real BroadcastChannels, as two tabs of one origin hold them: a change
// reaches the other tab and not the sender, a message that is not one of the app's is dropped, and outside a page
// the channel is silent.
import { afterEach, describe, expect, it } from 'vitest';
import { broadcastTabChannel, pageTabChannel, parseStoreChange, silentTabChannel, type StoreChange } from '../../src/lib/tabs';

const opened: BroadcastChannel[] = [];

function open(name: string): BroadcastChannel {
  const channel = new BroadcastChannel(name);
  opened.push(channel);
  return channel;
}

afterEach(() => {
  for (const channel of opened.splice(0)) channel.close();
});

/** Waits for `count` changes on `tab`, or fails after a second. */
function heard(listen: (listener: (change: StoreChange) => void) => () => void, count: number): Promise<StoreChange[]> {
  return new Promise((resolve, reject) => {
    const seen: StoreChange[] = [];
    const timer = setTimeout(() => reject(new Error(`heard ${seen.length} of ${count}`)), 1000);
    const stop = listen((change) => {
      seen.push(change);
      if (seen.length < count) return;
      clearTimeout(timer);
      stop();
      resolve(seen);
    });
  });
}

describe('tab channel', () => {
  it('carries a change to the other tab, never back to the sender, and drops foreign messages', async () => {
    const name = `tabs-test-${Math.random()}`;
    const first = broadcastTabChannel(open(name));
    const second = broadcastTabChannel(open(name));
    const raw = open(name);
    const ownEcho: StoreChange[] = [];
    const stopEcho = first.listen((change) => ownEcho.push(change));

    const arriving = heard((listener) => second.listen(listener), 2);
    raw.postMessage({ kind: 'wiped', repo: 'a/b' });
    raw.postMessage('<img src=x onerror=alert(1)>');
    first.announce({ kind: 'deleted', repo: 'test/tiny' });
    first.announce({ kind: 'stored', repo: 'test/other' });
    expect(await arriving).toEqual([
      { kind: 'deleted', repo: 'test/tiny' },
      { kind: 'stored', repo: 'test/other' },
    ]);
    stopEcho();
    expect(ownEcho).toEqual([]);
  });

  it('parses only the two kinds, with a repo', () => {
    expect(parseStoreChange({ kind: 'deleted', repo: 'org/name' })).toEqual({ kind: 'deleted', repo: 'org/name' });
    expect(parseStoreChange({ kind: 'deleted', repo: '' })).toBeUndefined();
    expect(parseStoreChange({ kind: 'deleted' })).toBeUndefined();
    expect(parseStoreChange({ kind: 'other', repo: 'org/name' })).toBeUndefined();
    expect(parseStoreChange(null)).toBeUndefined();
  });

  it('is silent outside a page, so unit tests never reach each other', () => {
    expect(pageTabChannel()).toBe(silentTabChannel);
  });
});
