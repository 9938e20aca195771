// Ambient types for the service-worker registration module that vite-plugin-pwa generates, and for the app version
// that vite.config.ts defines at build time.
/// <reference types="vite-plugin-pwa/vanillajs" />

declare const __APP_VERSION__: string;
