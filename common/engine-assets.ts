// Where the inference worker's bundle lives and the cache that keeps it for offline use. The build (vite.config.ts)
// writes every file of the worker's bundle under ENGINE_ASSETS_DIR and the service worker caches that folder at run
// time, CacheFirst, in ENGINE_CACHE_NAME; the worker itself tops that cache up for what it fetched before the service
// worker controlled it (a first visit). Bump the version when what the cache holds changes shape.

export const ENGINE_ASSETS_DIR = 'assets/engine';
export const ENGINE_CACHE_NAME = 'engine-assets-v1';

/** Whether a URL is a file of the worker's bundle (any base path the app is served under). */
export function isEngineAssetUrl(url: URL): boolean {
  return url.pathname.includes(`/${ENGINE_ASSETS_DIR}/`);
}
