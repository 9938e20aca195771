// Keeps the engine files this worker used for offline use. The service worker caches them as they are fetched, but
// only once it controls the page: on a first visit the worker starts (and may load an engine) before that, so those
// fetches pass it by. After an engine has loaded, this adds to the same cache whatever of the worker's bundle it
// fetched and the cache lacks (the browser's HTTP cache usually answers, so nothing is downloaded twice). Where
// there is no Cache API (Node) or nothing was served from the bundle's folder (the dev server), it does nothing.
import { ENGINE_CACHE_NAME, isEngineAssetUrl } from '../common/engine-assets';

/** The engine files this worker has fetched so far: its own script, what it imported, what engines fetched. */
function fetchedEngineAssets(extra: readonly string[]): URL[] {
  const seen = new Set<string>();
  const base = typeof self === 'undefined' ? undefined : self.location.href;
  const candidates = [base, ...extra, ...performance.getEntriesByType('resource').map((entry) => entry.name)];
  for (const candidate of candidates) {
    if (!candidate || !base) continue;
    const url = new URL(candidate, base);
    if (url.origin === new URL(base).origin && isEngineAssetUrl(url)) seen.add(url.href);
  }
  return [...seen].map((href) => new URL(href));
}

/** Adds the engine files this worker used (plus `extra` URLs) to the engine cache; returns how many it added. */
export async function keepEngineAssetsForOffline(extra: readonly string[] = []): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  try {
    const cache = await caches.open(ENGINE_CACHE_NAME);
    let added = 0;
    for (const url of fetchedEngineAssets(extra)) {
      if (await cache.match(url)) continue;
      await cache.add(url);
      added += 1;
    }
    return added;
  } catch (error) {
    // Offline use is a bonus: a full quota or a storage error must not fail the model load.
    console.warn('[engine-assets] could not keep the engine files for offline use', error);
    return 0;
  }
}
