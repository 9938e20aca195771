// Test tiers, chosen by folder: unit (node, fast), node-inference (the tiny model through transformers.js in node),
// browser (the built app in real headless Chromium with WebGPU, driven by playwright-core).
// The unit project compiles Svelte runes (`.svelte.ts` state classes) with the Svelte plugin, so state classes are
// unit-tested in node with fake engine clients and fake storage.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  test: {
    globalSetup: ['test/fixtures/global-setup.ts'],
    passWithNoTests: false,
    projects: [
      {
        extends: true,
        // vite-plugin-pwa's virtual module exists only in the app build; the unit tests inject their own register.
        resolve: { alias: { 'virtual:pwa-register': new URL('./test/unit/stubs/pwa-register.ts', import.meta.url).pathname } },
        define: { __APP_VERSION__: JSON.stringify('test') },
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      { test: { name: 'node-inference', include: ['test/node/**/*.test.ts'], environment: 'node', testTimeout: 120_000 } },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // One Chromium at a time: the machine has two cores and the tests share fixed ports.
          fileParallelism: false,
        },
      },
    ],
  },
});
