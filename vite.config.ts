// Build for the page and the inference worker. The engines are imported only by workers/, so Vite puts them in the
// worker bundle and the page's initial JS stays small.
// The service worker (vite-plugin-pwa, Workbox generateSW) precaches every emitted file — the page, the worker, the
// engines' JavaScript and ONNX Runtime's wasm — so after one visit the app starts with the network off. It waits
// for the user to accept an update (`registerType: 'prompt'`): a new version never half-replaces a running one.
// Model files are NOT precached here: they live in the worker's IndexedDB weight store.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

const packageVersion: unknown = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).version;
// APP_VERSION overrides the shown version (the update-flow test builds twice with two versions).
const appVersion = process.env.APP_VERSION ?? (typeof packageVersion === 'string' ? packageVersion : '0.0.0');

// Cross-origin isolation: llama.cpp (wllama) and ONNX Runtime use several threads only when the page is
// crossOriginIsolated, and measureUserAgentSpecificMemory (the benchmark's memory figure) needs it too. COEP
// require-corp blocks only cross-origin no-cors subresources; the app has none: model files, the remote endpoint and
// web-llm's model libraries are CORS fetches, and pictures are data: URLs (the sanitiser drops <img> from answers).
// Hosting the built app elsewhere needs the same two headers (README, "Hosting").
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// ONNX Runtime's wasm is about 27 MB; Workbox's default ceiling (2 MiB) would silently leave it out.
const MAX_PRECACHED_FILE_BYTES = 64 * 1024 * 1024;

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
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,wasm,webmanifest}'],
        maximumFileSizeToCacheInBytes: MAX_PRECACHED_FILE_BYTES,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  define: { __APP_VERSION__: JSON.stringify(appVersion) },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  // Fixed ports, so the address the README gives is the one the server takes (it fails instead of moving on).
  server: { port: 5173, strictPort: true, headers: ISOLATION_HEADERS },
  preview: { port: 4173, strictPort: true, headers: ISOLATION_HEADERS },
});
