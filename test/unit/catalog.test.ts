// The model catalogue: records are well-formed and consistent with their ids, sizes are the sourced figures, and the
// helpers pick precisions, validate repos and base URLs, and format sizes as documented.
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../common/catalog/transformers-builds';
import { DEFAULT_MODEL_BASE_URL, filesBaseUrl, normaliseBaseUrl, remotePathTemplate } from '../../common/model-urls';
import { chooseDtype, isF16Dtype } from '../../common/precision';
import { customModelRecord, findModel } from '../../common/catalog/builds';
import { formatBytes } from '../../src/lib/format';
import type { Dtype, ModelRecord } from '../../common/model-record';

const REPO_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]*\/[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const ALL_DTYPES: Dtype[] = ['q4f16', 'q4', 'fp16', 'fp32'];

function byId(id: string): ModelRecord {
  const record = CATALOG.find((candidate) => candidate.id === id);
  if (!record) throw new Error(`no catalogue record ${id}`);
  return record;
}

describe('CATALOG records', () => {
  it('lists the three Qwen3 and three Qwen3.5 transformers.js builds', () => {
    expect(CATALOG.map((record) => record.repo)).toEqual([
      'onnx-community/Qwen3-0.6B-ONNX',
      'onnx-community/Qwen3-1.7B-ONNX',
      'onnx-community/Qwen3-4B-ONNX',
      'onnx-community/Qwen3.5-0.8B-ONNX-OPT',
      'onnx-community/Qwen3.5-2B-ONNX-OPT',
      'onnx-community/Qwen3.5-4B-ONNX-OPT',
    ]);
  });

  it('has unique ids and unique repos', () => {
    const ids = CATALOG.map((record) => record.id);
    const repos = CATALOG.map((record) => record.repo);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(repos).size).toBe(repos.length);
  });

  it.each(CATALOG.map((record) => [record.id, record] as const))('%s is well-formed', (_id, record) => {
    expect(record.repo).toMatch(REPO_ID);
    expect(record.engine).toBe('transformers');
    expect(record.label.trim()).not.toBe('');
    expect(record.licence).toBe('Apache-2.0');
    expect(Number.isInteger(record.contextWindow)).toBe(true);
    expect(record.contextWindow).toBeGreaterThan(0);

    // Never an f16 precision for a GPU without shader-f16, and the f16 path really is the f16 one.
    expect(isF16Dtype(record.dtypes.withoutF16)).toBe(false);
    expect(record.needsShaderF16).toBe(false);
    expect(record.dtypes.withF16).toBe('q4f16');

    // Sizes: given for both precisions the record can pick, positive whole bytes wherever given.
    for (const dtype of [record.dtypes.withF16, record.dtypes.withoutF16]) {
      expect(record.downloadBytes[dtype], `${record.id} ${dtype}`).toBeDefined();
    }
    for (const dtype of ALL_DTYPES) {
      const bytes = record.downloadBytes[dtype];
      if (bytes === undefined) continue;
      expect(Number.isInteger(bytes)).toBe(true);
      expect(bytes).toBeGreaterThan(100 * 1000 * 1000);
    }

    // The GPU estimate covers the f16 weights with room for a KV cache, and stays within reason.
    const f16Bytes = record.downloadBytes[record.dtypes.withF16] ?? 0;
    expect(record.gpuMemoryBytes).toBeDefined();
    expect(record.gpuMemoryBytes ?? 0).toBeGreaterThan(1.1 * f16Bytes);
    expect(record.gpuMemoryBytes ?? 0).toBeLessThan(2.5 * f16Bytes);
  });

  it.each(CATALOG.map((record) => [record.id, record] as const))(
    '%s: family, parameters and images agree with the id and repo',
    (id, record) => {
      const repoName = record.repo.split('/')[1] ?? '';
      expect(record.parameters).toMatch(/^\d+(\.\d+)?B$/);
      expect(id).toContain(`-${record.parameters.toLowerCase()}-`);
      expect(repoName).toContain(`-${record.parameters}-`);
      if (record.family === 'Qwen3.5') {
        expect(id.startsWith('qwen3.5-')).toBe(true);
        expect(repoName.startsWith('Qwen3.5-')).toBe(true);
        expect(record.takesImages).toBe(true);
        expect(record.contextWindow).toBe(262_144);
      } else {
        expect(record.family).toBe('Qwen3');
        expect(id.startsWith('qwen3-')).toBe(true);
        expect(repoName.startsWith('Qwen3-')).toBe(true);
        expect(record.takesImages).toBe(false);
        expect(record.contextWindow).toBe(40_960);
      }
      expect(record.label).toBe(`${record.family} ${record.parameters}`);
    },
  );

  it('keeps the q4 (fp32 embedding) text model larger than q4f16 for every build', () => {
    // The vision encoders are paired per path (fp16 beside q4f16 on the 0.8B build), so compare the text path only.
    const textBytes = (record: ModelRecord, dtype: 'q4' | 'q4f16'): number => {
      const vision = dtype === 'q4' ? record.vision?.withoutF16.bytes : record.vision?.withF16.bytes;
      return (record.downloadBytes[dtype] ?? Number.NaN) - (vision ?? 0);
    };
    for (const record of CATALOG) {
      expect(textBytes(record, 'q4'), record.id).toBeGreaterThan(textBytes(record, 'q4f16'));
    }
  });

  it('carries the sourced byte counts', () => {
    expect(byId('qwen3-0.6b-onnx').downloadBytes.q4f16).toBe(578_917_626);
    expect(byId('qwen3-1.7b-onnx').downloadBytes.q4f16).toBe(1_435_197_005);
    expect(byId('qwen3-1.7b-onnx').downloadBytes.q4).toBe(2_147_212_861 + 9_127_907);
    expect(byId('qwen3-4b-onnx').downloadBytes.q4f16).toBe(2_842_047_473);
    // Qwen3.5: the text path (the 2B figure is summed here from per-file sizes and equals the total a second public
    // source gives) plus the vision encoder that is loaded with it.
    expect(byId('qwen3.5-0.8b-onnx-opt').downloadBytes.q4f16).toBe(602_720_242 + 187_476 + 204_798_464);
    expect(byId('qwen3.5-0.8b-onnx-opt').downloadBytes.q4).toBe(
      857 + 162_897_920 + 576_621 + 483_655_680 + 2_849 + 248 + 9_161 + 19_226_111 + 185_278 + 68_267_008,
    );
    expect(byId('qwen3.5-2b-onnx-opt').downloadBytes.q4f16).toBe(1_402_850_762 + 394_142 + 196_945_920);
    expect(byId('qwen3.5-4b-onnx-opt').downloadBytes.q4f16).toBe(2_820_835_865 + 394_142 + 198_159_360);
  });

  it('pairs every Qwen3.5 build with a vision encoder that runs without shader-f16 on the fallback path', () => {
    for (const record of CATALOG) {
      expect(record.vision !== undefined, record.id).toBe(record.takesImages);
      if (!record.vision) continue;
      expect(isF16Dtype(record.vision.withoutF16.dtype), record.id).toBe(false);
      expect(record.vision.withF16.bytes, record.id).toBeGreaterThan(0);
    }
  });

  it('orders builds by size within a family', () => {
    for (const family of ['Qwen3', 'Qwen3.5']) {
      const sizes = CATALOG.filter((record) => record.family === family).map((record) => record.downloadBytes.q4f16 ?? 0);
      expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    }
  });

  it('cannot be changed at run time', () => {
    const record = byId('qwen3-0.6b-onnx');
    expect(Object.isFrozen(CATALOG)).toBe(true);
    expect(Object.isFrozen(record)).toBe(true);
    expect(Object.isFrozen(record.dtypes)).toBe(true);
    expect(Object.isFrozen(record.downloadBytes)).toBe(true);
    expect(() => {
      Object.assign(record, { contextWindow: 1 });
    }).toThrow(TypeError);
    expect(record.contextWindow).toBe(40_960);
  });
});

describe('findModel', () => {
  it('finds a catalogue record by id', () => {
    expect(findModel('qwen3.5-0.8b-onnx-opt')?.repo).toBe('onnx-community/Qwen3.5-0.8B-ONNX-OPT');
    expect(findModel('qwen3-4b-onnx')).toBe(byId('qwen3-4b-onnx'));
  });

  it('returns undefined for an unknown id', () => {
    expect(findModel('qwen3-8b-onnx')).toBeUndefined();
    expect(findModel('')).toBeUndefined();
    expect(findModel('onnx-community/Qwen3-0.6B-ONNX')).toBeUndefined();
  });

  it('rebuilds a custom record from its id, and only for a valid repo', () => {
    const custom = customModelRecord('test/tiny-qwen3');
    expect(findModel(custom.id)).toEqual(custom);
    expect(findModel('custom:not-a-repo')).toBeUndefined();
    expect(findModel('custom:../etc/passwd')).toBeUndefined();
  });
});

describe('chooseDtype', () => {
  it('picks q4f16 when the GPU has shader-f16 and q4 when it has not', () => {
    const record = byId('qwen3-1.7b-onnx');
    expect(chooseDtype(record, { shaderF16: true })).toBe('q4f16');
    expect(chooseDtype(record, { shaderF16: false })).toBe('q4');
  });

  it('never hands an f16 precision to a GPU without shader-f16', () => {
    for (const record of CATALOG) {
      const dtype = chooseDtype(record, { shaderF16: false });
      expect(isF16Dtype(dtype)).toBe(false);
      expect(dtype).toBe(record.dtypes.withoutF16);
      expect(chooseDtype(record, { shaderF16: true })).toBe(record.dtypes.withF16);
    }
  });

  it('throws rather than fall back to f16 for a build with nothing else', () => {
    const f16Only: ModelRecord = { ...byId('qwen3-0.6b-onnx'), dtypes: { withF16: 'q4f16', withoutF16: 'fp16' } };
    expect(chooseDtype(f16Only, { shaderF16: true })).toBe('q4f16');
    expect(() => chooseDtype(f16Only, { shaderF16: false })).toThrow(/shader-f16/);
  });

  it('runs a custom build at fp32 either way', () => {
    const record = customModelRecord('test/tiny-qwen3');
    expect(chooseDtype(record, { shaderF16: true })).toBe('fp32');
    expect(chooseDtype(record, { shaderF16: false })).toBe('fp32');
  });

  it('knows which precisions are f16', () => {
    expect(ALL_DTYPES.filter(isF16Dtype)).toEqual(['q4f16', 'fp16']);
  });
});

describe('customModelRecord', () => {
  it('builds a Qwen3 fp32 record with unknown sizes from org/name', () => {
    const record = customModelRecord('test/tiny-qwen3');
    expect(record).toEqual({
      id: 'custom:test/tiny-qwen3',
      label: 'tiny-qwen3',
      family: 'Qwen3',
      parameters: 'unknown',
      engine: 'transformers',
      repo: 'test/tiny-qwen3',
      dtypes: { withF16: 'fp32', withoutF16: 'fp32' },
      downloadBytes: {},
      contextWindow: 4096,
      takesImages: false,
      licence: 'unknown',
      importable: true,
      exportable: true,
      estimatedSizes: [],
      needsShaderF16: false,
      runsOnCpu: true,
    });
    expect(record.gpuMemoryBytes).toBeUndefined();
    expect(CATALOG.some((known) => known.id === record.id)).toBe(false);
  });

  it('names the family of a custom Qwen3.5 build from its repo name', () => {
    expect(customModelRecord('test/tiny-qwen3.5-vl').family).toBe('Qwen3.5');
    expect(customModelRecord('me/Qwen3_5-2B-finetune').family).toBe('Qwen3.5');
    expect(customModelRecord('me/Qwen3-4B-ONNX').family).toBe('Qwen3');
  });

  it.each(['onnx-community/Qwen3.5-0.8B-ONNX-OPT', 'a_b/c.d-e', 'Org9/9name', 'x/y'])('accepts %s', (repo) => {
    expect(customModelRecord(repo).repo).toBe(repo);
  });

  it.each([
    '',
    'tiny-qwen3',
    'a/b/c',
    '/tiny',
    'test/',
    '../etc',
    'test/..',
    'test/a..b',
    '.hidden/model',
    'test/-dash',
    'test/has space',
    ' test/tiny-qwen3',
    'https://huggingface.co/test/tiny',
    'test\\tiny',
    `org/${'n'.repeat(100)}`,
  ])('rejects %j with a clear error', (repo) => {
    expect(() => customModelRecord(repo)).toThrow(/organisation\/name/);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [999, '999 B'],
    [1000, '1.0 KB'],
    [436_000, '436 KB'],
    [436_499, '436 KB'],
    [43_600_000, '43.6 MB'],
    [999_960, '1.0 MB'],
    [578_917_626, '579 MB'],
    [1_200_000_000, '1.2 GB'],
    [1_435_197_005, '1.4 GB'],
    [5_000_000_000_000, '5.0 TB'],
    [5_000_000_000_000_000, '5000 TB'],
  ])('%d bytes reads %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (bytes) => {
    expect(() => formatBytes(bytes)).toThrow(RangeError);
  });
});

describe('normaliseBaseUrl', () => {
  it.each([
    ['https://huggingface.co/', 'https://huggingface.co/'],
    ['https://huggingface.co', 'https://huggingface.co/'],
    ['  HTTPS://HuggingFace.co  ', 'https://huggingface.co/'],
    ['http://localhost:5555', 'http://localhost:5555/'],
    ['http://127.0.0.1:5555/models', 'http://127.0.0.1:5555/models/'],
    ['https://mirror.example.org/hub/models/', 'https://mirror.example.org/hub/models/'],
  ])('%j becomes %j', (input, expected) => {
    expect(normaliseBaseUrl(input)).toBe(expected);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['huggingface.co', /not a URL/],
    ['not a url', /not a URL/],
    ['ftp://mirror.example.org/', /http:\/\/ or https:\/\//],
    ['file:///models/', /http:\/\/ or https:\/\//],
    ['https://user:secret@mirror.example.org/', /user name or password/],
    ['https://mirror.example.org/?token=1', /query/],
    ['https://mirror.example.org/#models', /fragment/],
  ])('rejects %j', (input, message) => {
    expect(() => normaliseBaseUrl(input)).toThrow(message);
  });
});

describe('remotePathTemplate', () => {
  it('uses the resolve/revision layout for the public host only', () => {
    expect(remotePathTemplate(DEFAULT_MODEL_BASE_URL)).toBe('{model}/resolve/{revision}/');
    expect(remotePathTemplate('https://huggingface.co')).toBe('{model}/resolve/{revision}/');
    expect(remotePathTemplate(' https://HUGGINGFACE.co/ ')).toBe('{model}/resolve/{revision}/');
  });

  it('uses the flat <org>/<name>/<file> layout for any mirror', () => {
    expect(remotePathTemplate('http://localhost:5555/')).toBe('{model}/');
    expect(remotePathTemplate('http://huggingface.co/')).toBe('{model}/');
    expect(remotePathTemplate('https://huggingface.co/mirror/')).toBe('{model}/');
    expect(remotePathTemplate('https://hf-mirror.com/')).toBe('{model}/');
  });

  it('throws on a bad base URL', () => {
    expect(() => remotePathTemplate('ftp://huggingface.co/')).toThrow(/http/);
  });
});

describe('filesBaseUrl', () => {
  it('puts a repo under resolve/main on the public host', () => {
    expect(filesBaseUrl(DEFAULT_MODEL_BASE_URL, 'onnx-community/Qwen3-0.6B-ONNX')).toBe(
      'https://huggingface.co/onnx-community/Qwen3-0.6B-ONNX/resolve/main/',
    );
    expect(filesBaseUrl('https://huggingface.co', 'onnx-community/Qwen3-0.6B-ONNX', 'refs/pr/1')).toBe(
      'https://huggingface.co/onnx-community/Qwen3-0.6B-ONNX/resolve/refs%2Fpr%2F1/',
    );
  });

  it('puts a repo directly under a mirror base', () => {
    expect(filesBaseUrl('http://127.0.0.1:5555/models', 'test/tiny-qwen3')).toBe(
      'http://127.0.0.1:5555/models/test/tiny-qwen3/',
    );
  });

  it('rejects a bad repo or base URL', () => {
    expect(() => filesBaseUrl(DEFAULT_MODEL_BASE_URL, '../secrets')).toThrow(/organisation\/name/);
    expect(() => filesBaseUrl('mirror', 'test/tiny-qwen3')).toThrow(/not a URL/);
  });
});
