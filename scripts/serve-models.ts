// Serves a folder of models on the local network the way the app expects a model mirror: `<base>/<org>/<name>/<file>`
// from `<folder>/<org>/<name>/<file>`, with CORS (`Access-Control-Allow-Origin: *`), HEAD and byte ranges. For a
// teacher's laptop in a classroom:
//   npx tsx scripts/serve-models.ts ./models --host 0.0.0.0 --port 8090
// then set each student's "Model files from" to the printed http://<laptop-ip>:8090/ address. Read-only; nothing
// outside the folder is served (no `..`, no symlinks out of it).
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startModelMirror } from '../test/fixtures/model-mirror';

const USAGE = 'usage: npx tsx scripts/serve-models.ts <folder holding org/name/ model folders> [--host 0.0.0.0] [--port 8090]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '0.0.0.0' },
      port: { type: 'string', default: '8090' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const folder = positionals[0];
  if (values.help || folder === undefined) {
    console.log(USAGE);
    process.exit(folder === undefined && !values.help ? 1 : 0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`invalid --port ${values.port}\n${USAGE}`);
  const root = path.resolve(folder);
  const mirror = await startModelMirror({ root, port, host: values.host });
  console.log(`Serving ${root} as a model mirror.`);
  for (const address of addresses(values.host)) console.log(`  Model files from: http://${address}:${mirror.port}/`);
  console.log('Ctrl-C to stop.');
  process.once('SIGINT', () => {
    void mirror.close().then(() => process.exit(0));
  });
}

/** The addresses students can type: every IPv4 address of this machine when listening on all of them. */
function addresses(host: string): string[] {
  if (host !== '0.0.0.0') return [host];
  const found = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((info) => info.family === 'IPv4')
    .map((info) => info.address);
  return found.length > 0 ? found : ['127.0.0.1'];
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
