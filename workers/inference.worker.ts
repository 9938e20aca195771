// Entry of the inference worker: exposes the engine host to the page through comlink. Everything else lives in
// engine-host.ts, so this file stays a few lines.
import { expose } from 'comlink';
import { createEngineHost } from './engine-host';

expose(createEngineHost());
