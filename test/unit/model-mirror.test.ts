// The model mirror over real HTTP on a free port: CORS, HEAD, byte ranges, 404s, path-traversal refusal, the
// blocked and cut-download failure modes, and the request log.
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRange, startModelMirror, type ModelMirror } from '../fixtures/model-mirror';
import { GENERATED_MODELS_DIR } from '../fixtures/paths';

const WORK_DIR = path.join(GENERATED_MODELS_DIR, '..', `mirror-test-${process.pid}`);
const ROOT = path.join(WORK_DIR, 'root');
const MODEL_BYTES = Buffer.from(Array.from({ length: 1000 }, (_, index) => (index * 7) % 256));
const CONFIG_TEXT = '{"model_type":"qwen3"}\n';
const SECRET_TEXT = 'outside the mirror root';

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** False when the connection ended before the announced Content-Length arrived. */
  readonly complete: boolean;
}

let mirror: ModelMirror;

beforeAll(async () => {
  await mkdir(path.join(ROOT, 'test', 'tiny', 'onnx'), { recursive: true });
  await writeFile(path.join(ROOT, 'test', 'tiny', 'config.json'), CONFIG_TEXT);
  await writeFile(path.join(ROOT, 'test', 'tiny', 'onnx', 'model.onnx'), MODEL_BYTES);
  await writeFile(path.join(WORK_DIR, 'secret.txt'), SECRET_TEXT);
  await symlink(path.join(WORK_DIR, 'secret.txt'), path.join(ROOT, 'test', 'tiny', 'escape.txt'));
  mirror = await startModelMirror({ root: ROOT, port: 0 });
});

afterEach(() => {
  mirror.setBlocked(false);
  mirror.clearRequests();
});

afterAll(async () => {
  await mirror.close();
  await rm(WORK_DIR, { recursive: true, force: true });
});

describe('serving files', () => {
  it('listens on an ephemeral localhost port and reports its base URL with a trailing slash', () => {
    expect(mirror.port).toBeGreaterThan(0);
    expect(mirror.url).toBe(`http://127.0.0.1:${mirror.port}/`);
  });

  it('serves <org>/<name>/<file> with CORS, length, type and validator headers', async () => {
    const response = await fetch(`${mirror.url}test/tiny/config.json`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(CONFIG_TEXT);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe('Content-Length, Content-Range, Accept-Ranges, ETag');
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(CONFIG_TEXT)));
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('etag')).toMatch(/^".+"$/);
  });

  it('serves binary files intact, also under the hub form <org>/<name>/resolve/<revision>/<file>', async () => {
    for (const filePath of ['test/tiny/onnx/model.onnx', 'test/tiny/resolve/main/onnx/model.onnx']) {
      const response = await fetch(`${mirror.url}${filePath}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(Buffer.from(await response.arrayBuffer()).equals(MODEL_BYTES)).toBe(true);
    }
  });

  it('answers HEAD with the headers of a GET and no body', async () => {
    const response = await rawRequest('/test/tiny/onnx/model.onnx', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe('1000');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.body.byteLength).toBe(0);
  });

  it('answers a CORS preflight', async () => {
    const response = await fetch(`${mirror.url}test/tiny/config.json`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:5173', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('GET');
    expect(response.headers.get('access-control-allow-headers')).toBe('range');
    expect(response.headers.get('content-length')).toBe('0');
  });

  it('refuses other methods', async () => {
    const response = await fetch(`${mirror.url}test/tiny/config.json`, { method: 'PUT', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('byte ranges', () => {
  it('answers Range: bytes=a-b with 206, Content-Range and just those bytes', async () => {
    const response = await fetch(`${mirror.url}test/tiny/onnx/model.onnx`, { headers: { Range: 'bytes=10-19' } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(response.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await response.arrayBuffer()).equals(MODEL_BYTES.subarray(10, 20))).toBe(true);
  });

  it('answers the one-byte probe transformers.js starts with', async () => {
    const response = await fetch(`${mirror.url}test/tiny/config.json`, { headers: { Range: 'bytes=0-0' } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 0-0/${Buffer.byteLength(CONFIG_TEXT)}`);
    expect(await response.text()).toBe('{');
  });

  it('answers a range starting past the end with 416', async () => {
    const response = await fetch(`${mirror.url}test/tiny/onnx/model.onnx`, { headers: { Range: 'bytes=1000-' } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
  });

  it('parses open, suffix, clamped, multiple and malformed ranges', () => {
    expect(parseRange('bytes=990-', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=-5', 1000)).toEqual({ start: 995, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeUndefined();
    expect(parseRange('bytes=9-3', 1000)).toBeUndefined();
    expect(parseRange('items=0-1', 1000)).toBeUndefined();
    expect(parseRange(undefined, 1000)).toBeUndefined();
  });
});

describe('refusals', () => {
  it('answers 404 with CORS and a Content-Length for missing files and folders', async () => {
    for (const filePath of ['test/tiny/missing.json', 'test/tiny/onnx', 'test/tiny/', '']) {
      const response = await fetch(`${mirror.url}${filePath}`);
      expect(response.status, filePath).toBe(404);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(Number(response.headers.get('content-length'))).toBe((await response.arrayBuffer()).byteLength);
    }
  });

  it('never serves a file outside the root, however the path is spelled', async () => {
    const attempts = [
      '/../secret.txt',
      '/test/../../secret.txt',
      '/test/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/test/tiny/..%2F..%2F..%2Fsecret.txt',
      `/${encodeURIComponent(path.join(WORK_DIR, 'secret.txt'))}`,
      '/test/tiny/escape.txt',
      '/test/tiny/config.json%00',
      '/%E0%A4%A',
    ];
    for (const attempt of attempts) {
      const response = await rawRequest(attempt);
      expect(response.status, attempt).toBe(404);
      expect(response.body.toString()).not.toContain(SECRET_TEXT);
    }
  });
});

describe('failure modes', () => {
  it('drops every connection without an answer while blocked, and serves again when unblocked', async () => {
    mirror.setBlocked(true);
    await expect(fetch(`${mirror.url}test/tiny/config.json`)).rejects.toThrow();
    await expect(rawRequest('/test/tiny/config.json')).rejects.toThrow(/socket hang up|ECONNRESET/);
    mirror.setBlocked(false);
    const response = await fetch(`${mirror.url}test/tiny/config.json`);
    expect(await response.text()).toBe(CONFIG_TEXT);
  });

  it('cuts the next plain GET of a file half way once (not a 404, HEAD or range), then serves it whole', async () => {
    mirror.cutNextDownload('model.onnx');
    expect((await rawRequest('/test/tiny/onnx/missing/model.onnx')).status).toBe(404);
    expect((await rawRequest('/test/tiny/onnx/model.onnx', { method: 'HEAD' })).complete).toBe(true);
    const ranged = await rawRequest('/test/tiny/onnx/model.onnx', { headers: { Range: 'bytes=0-99' } });
    expect(ranged.complete).toBe(true);
    expect(ranged.body.byteLength).toBe(100);

    const cut = await rawRequest('/test/tiny/onnx/model.onnx');
    expect(cut.status).toBe(200);
    expect(cut.headers['content-length']).toBe('1000');
    expect(cut.complete).toBe(false);
    expect(cut.body.byteLength).toBe(500);
    expect(cut.body.equals(MODEL_BYTES.subarray(0, 500))).toBe(true);

    const retry = await rawRequest('/test/tiny/onnx/model.onnx');
    expect(retry.complete).toBe(true);
    expect(retry.body.equals(MODEL_BYTES)).toBe(true);
  });

  it('makes a browser-style fetch of the cut file fail', async () => {
    mirror.cutNextDownload('onnx/model.onnx');
    const response = await fetch(`${mirror.url}test/tiny/onnx/model.onnx`);
    await expect(response.arrayBuffer()).rejects.toThrow();
  });
});

describe('request log', () => {
  it('records method and path of every request in order, including refused ones, until cleared', async () => {
    await fetch(`${mirror.url}test/tiny/config.json?download=1`);
    await rawRequest('/test/tiny/onnx/model.onnx', { method: 'HEAD' });
    await fetch(`${mirror.url}test/tiny/missing.json`);
    mirror.setBlocked(true);
    await expect(fetch(`${mirror.url}test/tiny/config.json`)).rejects.toThrow();
    expect(mirror.requests).toEqual([
      'GET /test/tiny/config.json',
      'HEAD /test/tiny/onnx/model.onnx',
      'GET /test/tiny/missing.json',
      'GET /test/tiny/config.json',
    ]);
    mirror.clearRequests();
    expect(mirror.requests).toEqual([]);
  });
});

describe('close', () => {
  it('stops listening even with a keep-alive connection open', async () => {
    const another = await startModelMirror({ root: ROOT });
    const response = await fetch(`${another.url}test/tiny/config.json`);
    await response.text();
    await another.close();
    await expect(fetch(`${another.url}test/tiny/config.json`)).rejects.toThrow();
  });
});

/** A request with the path sent exactly as given (fetch would normalise `..`), collecting whatever arrives. */
function rawRequest(requestPath: string, options: { method?: string; headers?: http.OutgoingHttpHeaders } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: mirror.port, path: requestPath, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        // A cut connection surfaces as 'aborted'/'error' on the response; what arrived is the result either way.
        response.on('error', () => undefined);
        response.on('close', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, complete: response.complete });
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}
