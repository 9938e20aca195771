// Build for the page and the inference worker. The engines are imported only by workers/, so Vite puts them in the
// worker bundle and the page's initial JS stays small.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { port: 5173 },
  preview: { port: 4173, strictPort: true },
});
