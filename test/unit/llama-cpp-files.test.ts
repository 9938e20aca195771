// What the llama.cpp engine checks of GGUF files, on the generated fixtures: over HTTP before a download (the real
// localhost model mirror, with Range; and a server that ignores Range), and from blobs after it (and for a
// sideload): a Qwen architecture, every tensor's bytes present, the split shards, the trained context.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customModelRecord } from '../../common/catalog/builds';
import type { SideloadFile } from '../../common/protocol';
import { EngineError } from '../../workers/errors';
import { checkRemoteHeader, checkStoredFiles, inspectFiles, isGgufIssue, trainedContext } from '../../workers/engines/llama-cpp-files';
import { checkGgufSideload, refuseGgufForOtherEngine } from '../../workers/sideload/gguf-check';
import { MANIFEST_FILE, MANIFEST_FORMAT } from '../../common/model-manifest';
import { sha256Hex } from '../../workers/sideload/check';
import { startModelMirror, type ModelMirror } from '../fixtures/model-mirror';
import {
  TINY_GGUF_DIR,
  TINY_GGUF_FILE,
  TINY_GGUF_REPO,
  TINY_LLAMA_GGUF_DIR,
  TINY_LLAMA_GGUF_FILE,
  TINY_SPLIT_GGUF_DIR,
  TINY_SPLIT_GGUF_FILES,
  TINY_SPLIT_GGUF_REPO,
  ensureTinyModels,
} from '../fixtures/paths';

let root: string;
let mirror: ModelMirror;
let tiny: Blob;
let llama: Blob;
let shards: { path: string; blob: Blob }[];

async function blobOf(file: string): Promise<Blob> {
  return new Blob([await readFile(file)]);
}

async function rejection(work: Promise<unknown>): Promise<EngineError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

beforeAll(async () => {
  await ensureTinyModels();
  tiny = await blobOf(path.join(TINY_GGUF_DIR, TINY_GGUF_FILE));
  llama = await blobOf(path.join(TINY_LLAMA_GGUF_DIR, TINY_LLAMA_GGUF_FILE));
  shards = await Promise.all(TINY_SPLIT_GGUF_FILES.map(async (file) => ({ path: file, blob: await blobOf(path.join(TINY_SPLIT_GGUF_DIR, file)) })));
  // A mirror of its own: the whole tiny GGUF, the Llama one, and the tiny one cut to 60%.
  root = await mkdtemp(path.join(tmpdir(), 'llama-cpp-files-'));
  for (const [repo, file, blob] of [
    ['m/whole', TINY_GGUF_FILE, tiny],
    ['m/llama', TINY_LLAMA_GGUF_FILE, llama],
    ['m/cut', TINY_GGUF_FILE, tiny.slice(0, Math.floor(tiny.size * 0.6))],
    ['m/not-gguf', 'model.gguf', new Blob(['{"model_type": "qwen3"}'])],
  ] as const) {
    await mkdir(path.join(root, repo), { recursive: true });
    await writeFile(path.join(root, repo, file), new Uint8Array(await blob.arrayBuffer()));
  }
  mirror = await startModelMirror({ root });
}, 120_000);

afterAll(async () => {
  await mirror?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('checkRemoteHeader (before the download)', () => {
  it('passes a whole Qwen GGUF, reading only its header by Range', async () => {
    mirror.clearRequests();
    await checkRemoteHeader(`${mirror.url}m/whole/${TINY_GGUF_FILE}`, TINY_GGUF_FILE);
    expect(mirror.requests.length).toBeGreaterThan(0);
  });

  it('refuses a non-Qwen GGUF as ModelUnsupported, naming the file and the architecture', async () => {
    const error = await rejection(checkRemoteHeader(`${mirror.url}m/llama/${TINY_LLAMA_GGUF_FILE}`, TINY_LLAMA_GGUF_FILE));
    expect(error.name).toBe('ModelUnsupported');
    expect(error.message).toContain(`${TINY_LLAMA_GGUF_FILE} is a "llama" model`);
  });

  it('refuses a file cut short on the server as IntegrityMismatch, from the size the server announces', async () => {
    const error = await rejection(checkRemoteHeader(`${mirror.url}m/cut/${TINY_GGUF_FILE}`, TINY_GGUF_FILE));
    expect(error.name).toBe('IntegrityMismatch');
    expect(error.message).toContain(`${TINY_GGUF_FILE} is cut short: ${Math.floor(tiny.size * 0.6).toLocaleString('en')} bytes`);
  });

  it('refuses a file that is not GGUF, and leaves a missing file to the download', async () => {
    const error = await rejection(checkRemoteHeader(`${mirror.url}m/not-gguf/model.gguf`, 'model.gguf'));
    expect(error.name).toBe('ModelUnsupported');
    expect(error.message).toContain('model.gguf is not a GGUF file');
    await expect(checkRemoteHeader(`${mirror.url}m/missing/model.gguf`, 'model.gguf')).resolves.toBeUndefined();
  });

  it('reads only the bytes it needs from a server that ignores Range', async () => {
    const body = new Uint8Array(await llama.arrayBuffer());
    let sent = 0;
    const server = http.createServer((request, response) => {
      response.writeHead(200, { 'Content-Length': String(body.length) });
      // Slowly, in small pieces, so a reader that stops early leaves most of the file unsent.
      let offset = 0;
      const next = (): void => {
        if (offset >= body.length || response.destroyed) return void response.end();
        const piece = body.subarray(offset, offset + 4096);
        offset += piece.length;
        sent += piece.length;
        response.write(piece, () => setTimeout(next, 2));
      };
      request.on('close', () => response.destroy());
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const error = await rejection(checkRemoteHeader(`http://127.0.0.1:${port}/x.gguf`, 'x.gguf'));
      expect(error.name).toBe('ModelUnsupported');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(sent).toBeLessThan(body.length);
  });
});

describe('checkStoredFiles (after the download)', () => {
  it('answers the first header of a whole file or split, with its trained context', async () => {
    const header = await checkStoredFiles([{ path: TINY_GGUF_FILE, blob: tiny }]);
    expect(trainedContext(header)).toBe(4096);
    const split = await checkStoredFiles(shards);
    expect(trainedContext(split)).toBe(4096);
  });

  it('names the shard cut short, and a non-Qwen first file', async () => {
    const [first, second] = shards;
    if (!first || !second) throw new Error('the split fixture has two shards');
    const cut = await inspectFiles([first, { path: second.path, blob: second.blob.slice(0, second.blob.size - 100) }]);
    expect(isGgufIssue(cut) && cut).toMatchObject({ file: second.path, name: 'IntegrityMismatch' });
    const notQwen = await rejection(checkStoredFiles([{ path: TINY_LLAMA_GGUF_FILE, blob: llama }]));
    expect(notQwen.name).toBe('ModelUnsupported');
  });
});

describe('checkGgufSideload', () => {
  const record = customModelRecord(`${TINY_GGUF_REPO}/${TINY_GGUF_FILE}`);
  const split = customModelRecord(`${TINY_SPLIT_GGUF_REPO}/${TINY_SPLIT_GGUF_FILES[0] ?? ''}`);

  it('takes the .gguf picked loose or inside a folder, and leaves other files out', async () => {
    const picked: SideloadFile[] = [
      { path: `stick/${TINY_GGUF_FILE}`, file: tiny },
      { path: 'stick/README.md', file: new Blob(['notes']) },
    ];
    const checked = await checkGgufSideload(record, picked);
    expect(checked.files.map((file) => file.path)).toEqual([TINY_GGUF_FILE]);
    expect(checked.bytes).toBe(tiny.size);
    expect(checked.skipped).toEqual(['stick/README.md']);
  });

  it('takes every shard of a split GGUF, and names a missing one', async () => {
    const picked = shards.map(({ path: file, blob }) => ({ path: file, file: blob }));
    expect((await checkGgufSideload(split, picked)).files.map((file) => file.path)).toEqual([...TINY_SPLIT_GGUF_FILES]);
    const missing = await rejection(checkGgufSideload(split, picked.slice(0, 1)));
    expect(missing.name).toBe('ImportRejected');
    expect(missing.message).toContain(`${TINY_SPLIT_GGUF_FILES[1] ?? ''}: is missing`);
  });

  it('rejects a file cut short or a non-Qwen one by name, before anything is stored', async () => {
    const cut = await rejection(checkGgufSideload(record, [{ path: TINY_GGUF_FILE, file: tiny.slice(0, tiny.size - 500) }]));
    expect(cut.name).toBe('ImportRejected');
    expect(cut.message).toContain(`${TINY_GGUF_FILE}: is cut short`);
    const wrong = await rejection(checkGgufSideload(record, [{ path: TINY_GGUF_FILE, file: llama }]));
    expect(wrong.message).toContain(`${TINY_GGUF_FILE}: is a "llama" model`);
    const other = await rejection(checkGgufSideload(record, [{ path: TINY_LLAMA_GGUF_FILE, file: llama }]));
    expect(other.message).toContain(`${TINY_GGUF_FILE}: is missing (the GGUF picked is ${TINY_LLAMA_GGUF_FILE}`);
  });

  it('tells a .gguf picked for an ONNX build what to do instead', () => {
    const onnx = customModelRecord('test/tiny-qwen3');
    expect(() => refuseGgufForOtherEngine(onnx, [{ path: TINY_GGUF_FILE, file: tiny }])).toThrow(/organisation\/name\/file\.gguf/);
    expect(() => refuseGgufForOtherEngine(onnx, [{ path: 'config.json', file: new Blob(['{}']) }])).not.toThrow();
    expect(() => refuseGgufForOtherEngine(record, [{ path: TINY_GGUF_FILE, file: tiny }])).not.toThrow();
  });

  it("checks sizes and sha256 against this app's manifest", async () => {
    const manifest = (sha256: string): SideloadFile => ({
      path: MANIFEST_FILE,
      file: new Blob([JSON.stringify({ format: MANIFEST_FORMAT, repo: TINY_GGUF_REPO, files: [{ path: TINY_GGUF_FILE, bytes: tiny.size, sha256 }] })]),
    });
    const good = await checkGgufSideload(record, [manifest(await sha256Hex(tiny)), { path: TINY_GGUF_FILE, file: tiny }]);
    expect(good.hashed).toBe(1);
    const bad = await rejection(checkGgufSideload(record, [manifest('0'.repeat(64)), { path: TINY_GGUF_FILE, file: tiny }]));
    expect(bad.message).toContain(`${TINY_GGUF_FILE}: does not match the sha256`);
  });
});
