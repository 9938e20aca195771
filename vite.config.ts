// Build for the page and the inference worker. The engines are imported only by workers/, so Vite puts them in the
// worker bundle and the page's initial JS stays small.
// The service worker (vite-plugin-pwa, Workbox generateSW) precaches only the shell: the page's HTML, JavaScript
// and CSS, the icons and the manifest. Everything the inference worker's bundle emits (its script, the engines'
// chunks, ONNX Runtime's and llama.cpp's wasm) goes under assets/engine/ and is cached at run time, CacheFirst, the
// first time an engine fetches it: a first visit no longer downloads every engine while the model downloads, and a
// user who never picks an engine never fetches its runtime. It waits for the user to accept an update
// (`registerType: 'prompt'`): a new version never half-replaces a running one.
// Model files are NOT cached here: they live in the worker's IndexedDB weight store.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { ENGINE_ASSETS_DIR, ENGINE_CACHE_NAME } from './common/engine-assets';
import { securityHeaders } from './common/csp';

const packageVersion: unknown = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).version;
// APP_VERSION overrides the shown version (the update-flow test builds twice with two versions).
const appVersion = process.env.APP_VERSION ?? (typeof packageVersion === 'string' ? packageVersion : '0.0.0');

// Cross-origin isolation: llama.cpp (wllama) and ONNX Runtime use several threads only when the page is
// crossOriginIsolated, and measureUserAgentSpecificMemory (the benchmark's memory figure) needs it too. COEP
// require-corp blocks only cross-origin no-cors subresources; the app has none: model files, the remote endpoint and
// web-llm's model libraries are CORS fetches, and pictures are data: URLs (the sanitiser drops <img> from answers).
// With them, the header-level Content-Security-Policy (common/csp.ts; the page adds a stricter one at start).
// CSP_REPORT_URI sends violation reports there (the CSP test runs a local report server).
// Hosting the built app elsewhere needs the same headers (README, "Hosting").
const reportUri = process.env.CSP_REPORT_URI || undefined;
const PREVIEW_HEADERS = securityHeaders({ reportUri });
const DEV_HEADERS = securityHeaders({ reportUri, dev: true });

// The engine files are content-hashed, so each new build adds entries instead of overwriting them: the least
// recently used beyond this many are dropped (a build has a handful: the worker, engine chunks, wasm files).
const ENGINE_CACHE_MAX_ENTRIES = 40;

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      // The glob below already takes the icons; listing them twice would precache them twice.
      includeManifestIcons: false,
      manifest: {
        name: 'Qwen WebGPU Chat',
        short_name: 'Qwen Chat',
        description: 'Private chat with small open-weight Qwen models, running on WebGPU in your browser.',
        theme_color: '#4f46e5',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '.',
        scope: '.',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        globIgnores: [`${ENGINE_ASSETS_DIR}/**`],
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
        // The first install takes over the open page and its worker at once, so the engine files the first visit
        // fetches afterwards are cached as they arrive (updates still wait for the user: no skipWaiting).
        clientsClaim: true,
        runtimeCaching: [
          {
            // A RegExp is written into sw.js as it is; Workbox matches it against cross-origin URLs only from their
            // first character, so a path pattern matches this origin's files alone.
            urlPattern: new RegExp(`/${ENGINE_ASSETS_DIR}/`),
            handler: 'CacheFirst',
            options: {
              cacheName: ENGINE_CACHE_NAME,
              expiration: { maxEntries: ENGINE_CACHE_MAX_ENTRIES },
              cacheableResponse: { statuses: [200] },
              // The preview server answers `Vary: Origin`, and a module import sends an Origin header that a plain
              // fetch (what cached the file) does not: without this, an offline import() misses the cache.
              matchOptions: { ignoreVary: true },
            },
          },
        ],
      },
    }),
  ],
  define: { __APP_VERSION__: JSON.stringify(appVersion) },
  worker: {
    format: 'es',
    rolldownOptions: {
      output: {
        entryFileNames: `${ENGINE_ASSETS_DIR}/[name]-[hash].js`,
        chunkFileNames: `${ENGINE_ASSETS_DIR}/[name]-[hash].js`,
        assetFileNames: `${ENGINE_ASSETS_DIR}/[name]-[hash][extname]`,
      },
    },
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  // Fixed ports, so the address the README gives is the one the server takes (it fails instead of moving on).
  server: { port: 5173, strictPort: true, headers: DEV_HEADERS },
  preview: { port: 4173, strictPort: true, headers: PREVIEW_HEADERS },
});
