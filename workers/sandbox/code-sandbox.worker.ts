// Entry of the code sandbox worker: one request per worker (the page terminates it after the answer). It loads
// QuickJS, shuts the worker's own ways out, says `started`, runs the request and posts one `done` or `failed`.
import type { SandboxRequest, SandboxResponse } from '../../common/sandbox-protocol';
import { loadQuickJs } from './quickjs-loader';
import { runRequest } from './run-request';
import { lockDownWorker } from './worker-lockdown';

const post = (message: SandboxResponse): void => self.postMessage(message);

self.addEventListener('message', (event: MessageEvent<SandboxRequest>) => {
  const request = event.data;
  loadQuickJs()
    .then((quickjs) => {
      lockDownWorker(self);
      post({ type: 'started' });
      post({ type: 'done', result: runRequest(quickjs, request) });
    })
    .catch((error: unknown) => {
      post({ type: 'failed', message: `the code sandbox could not start its interpreter (${error instanceof Error ? error.message : String(error)})` });
    });
}, { once: true });
