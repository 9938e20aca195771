// Installs the page's Content-Security-Policy (from the stored settings), then mounts the app shell. The UI is
// imported only after the policy is in place, so everything it fetches or renders is under it. The inference
// engines are not imported here: they load inside the worker.
import { installPagePolicy } from './lib/csp-page';
import './app.css';

await installPagePolicy();
const [{ mount }, { default: App }] = await Promise.all([import('svelte'), import('./App.svelte')]);
const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');
mount(App, { target });
