// Loads QuickJS compiled to WebAssembly from the app's own origin: Vite emits the .wasm next to this worker's bundle
// (assets/engine/), and the variant is pointed at that URL, so nothing comes from a CDN and only the CSP's
// 'wasm-unsafe-eval' is needed to compile it.
import variant from '@jitl/quickjs-wasmfile-release-sync';
import wasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

export function loadQuickJs(): Promise<QuickJSWASMModule> {
  return newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmLocation: new URL(wasmUrl, self.location.href).href }));
}
