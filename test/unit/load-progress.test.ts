// LoadProgressTracker: transformers.js per-file progress events normalised to LoadProgress (bytes, files, phases, throttling, cache counts),
// and the progress line the page reads from it (loadProgressDetail), which never shows zeros for sizes not yet known.
import { describe, expect, it } from 'vitest';
import type { LoadPhase, LoadProgress } from '../../common/protocol';
import { LoadProgressTracker, type TransformersProgress } from '../../workers/engines/transformers-progress';
import { loadProgressDetail } from '../../src/lib/format';

const NAME = 'onnx-community/Qwen3-0.6B-ONNX';
const CONFIG = 'config.json';
const TOKENIZER = 'tokenizer.json';
const MODEL = 'onnx/model.onnx';
const SIZES = { [CONFIG]: 100, [TOKENIZER]: 400, [MODEL]: 10_000 } as const;
const EXPECTED_BYTES = 10_500;

interface Harness {
  tracker: LoadProgressTracker;
  emitted: LoadProgress[];
  /** Moves the injected clock to an absolute time in ms. */
  at(ms: number): Harness;
  send(status: string, file: string, loaded?: number, total?: number): Harness;
  last(): LoadProgress;
}

function harness(expectedBytes = EXPECTED_BYTES): Harness {
  let time = 0;
  const emitted: LoadProgress[] = [];
  const tracker = new LoadProgressTracker((progress) => emitted.push(progress), expectedBytes, () => time);
  const self: Harness = {
    tracker,
    emitted,
    at(ms) {
      time = ms;
      return self;
    },
    send(status, file, loaded, total) {
      const info: TransformersProgress = { status, file };
      // transformers.js puts `name` (the repo) on every event; the tracker must ignore fields it does not read.
      Object.assign(info, { name: NAME });
      if (loaded !== undefined) info.loaded = loaded;
      if (total !== undefined) info.total = total;
      tracker.report(info);
      return self;
    },
    last() {
      const progress = emitted.at(-1);
      if (!progress) throw new Error('nothing emitted yet');
      return progress;
    },
  };
  return self;
}

/** One file's whole life as transformers.js reports it: initiate, download, chunked progress, done. */
function loadFile(h: Harness, file: string, size: number, startMs: number, chunks = 4, chunkMs = 5): number {
  h.at(startMs).send('initiate', file).send('download', file);
  let time = startMs;
  for (let chunk = 1; chunk <= chunks; chunk += 1) {
    time += chunkMs;
    h.at(time).send('progress', file, Math.round((size * chunk) / chunks), size);
  }
  time += 1;
  h.at(time).send('done', file);
  return time;
}

describe('LoadProgressTracker with concurrent downloads', () => {
  it('reports bytes and files across files and switches to compile after the last .onnx is done', () => {
    const h = harness();
    h.at(0).send('initiate', CONFIG).send('initiate', TOKENIZER).send('initiate', MODEL);
    expect(h.emitted).toHaveLength(1);
    expect(h.last()).toEqual({
      phase: 'download',
      loadedBytes: 0,
      totalBytes: EXPECTED_BYTES,
      filesDone: 0,
      filesTotal: 1,
      file: CONFIG,
    });

    h.at(10).send('download', CONFIG).send('download', TOKENIZER).send('download', MODEL);
    h.at(20).send('progress', CONFIG, 100, 100).send('done', CONFIG);
    expect(h.last()).toMatchObject({ phase: 'download', loadedBytes: 100, filesDone: 1, filesTotal: 3, file: CONFIG });
    expect(h.last().totalBytes).toBe(EXPECTED_BYTES);

    h.at(50).send('progress', TOKENIZER, 200, 400);
    h.at(150).send('progress', MODEL, 2000, 10_000);
    expect(h.last()).toMatchObject({ phase: 'download', loadedBytes: 2300, totalBytes: 10_500, filesDone: 1, file: MODEL });

    h.at(160).send('progress', TOKENIZER, 400, 400);
    h.at(170).send('done', TOKENIZER);
    expect(h.last()).toMatchObject({ loadedBytes: 2500, filesDone: 2, filesTotal: 3, file: TOKENIZER });

    h.at(300).send('progress', MODEL, 10_000, 10_000);
    expect(h.last()).toMatchObject({ phase: 'download', loadedBytes: 10_500, totalBytes: 10_500, filesDone: 2 });

    h.at(305).send('done', MODEL);
    expect(h.last()).toEqual({
      phase: 'compile',
      loadedBytes: 10_500,
      totalBytes: 10_500,
      filesDone: 3,
      filesTotal: 3,
      file: MODEL,
    });

    const loaded = h.emitted.map((progress) => progress.loadedBytes);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    for (const progress of h.emitted) expect(progress.loadedBytes).toBeLessThanOrEqual(progress.totalBytes);
  });

  it('reports the real total once every file is done, even when it differs from the catalogue figure', () => {
    const h = harness(50_000);
    h.at(0).send('initiate', CONFIG).send('initiate', MODEL);
    h.at(10).send('progress', CONFIG, 100, 100).send('done', CONFIG);
    expect(h.last().totalBytes).toBe(50_000);
    h.at(20).send('progress', MODEL, 9000, 9000).send('done', MODEL);
    expect(h.last()).toMatchObject({ phase: 'compile', loadedBytes: 9100, totalBytes: 9100, filesDone: 2 });
  });

  it('uses the file sizes when they exceed the expected bytes', () => {
    const h = harness(1000);
    h.at(0).send('initiate', MODEL).send('progress', MODEL, 100, 4000);
    h.at(200).send('progress', MODEL, 200, 4000);
    expect(h.last()).toMatchObject({ loadedBytes: 200, totalBytes: 4000 });
  });

  it('treats a done without progress events as the bytes seen so far', () => {
    const h = harness(0);
    h.at(0).send('initiate', CONFIG).send('done', CONFIG);
    expect(h.last()).toMatchObject({ loadedBytes: 0, totalBytes: 0, filesDone: 1, filesTotal: 1 });
  });

  it('ignores events without a file (progress_total, ready)', () => {
    const h = harness();
    h.tracker.report({ status: 'progress_total', loaded: 5, total: 10 });
    h.tracker.report({ status: 'ready' });
    expect(h.emitted).toEqual([]);
    expect(h.tracker.snapshot()).toMatchObject({ phase: 'download', loadedBytes: 0, filesDone: 0, filesTotal: 0 });
    expect(h.tracker.snapshot().file).toBeUndefined();
  });
});

describe('LoadProgressTracker in transformers.js order (tokenizer first, then config, then the weights)', () => {
  it('keeps totalBytes at least the expected bytes until the last weight file is done', () => {
    // AutoTokenizer.from_pretrained finishes all its files before AutoModelForCausalLM.from_pretrained fetches
    // config.json and only then the .onnx files, so there are moments when every file *seen so far* is done.
    const h = harness();
    let time = loadFile(h, TOKENIZER, SIZES[TOKENIZER], 0);
    time = loadFile(h, CONFIG, SIZES[CONFIG], time + 10);
    time = loadFile(h, MODEL, SIZES[MODEL], time + 10, 20, 30);

    const beforeLast = h.emitted.slice(0, -1);
    expect(beforeLast.length).toBeGreaterThan(2);
    for (const progress of beforeLast) {
      expect(progress.totalBytes, `${progress.file} ${progress.filesDone}/${progress.filesTotal}`).toBeGreaterThanOrEqual(
        EXPECTED_BYTES,
      );
    }
    expect(h.last()).toMatchObject({ phase: 'compile', loadedBytes: 10_500, totalBytes: 10_500, filesDone: 3 });
    expect(time).toBeGreaterThan(0);
  });

  it('does not report compile before the weights start when the tokenizer and config finish first', () => {
    const h = harness();
    const time = loadFile(h, TOKENIZER, SIZES[TOKENIZER], 0);
    loadFile(h, CONFIG, SIZES[CONFIG], time + 10);
    expect(h.emitted.map((progress) => progress.phase)).not.toContain('compile');
  });

  it('reports compile after the external-data file of the last .onnx is done', () => {
    // Catalogue builds keep their weights in `<name>.onnx_data`: transformers.js fetches the small graph and the
    // large data file concurrently, so the graph's `done` comes first and the data file's `done` comes last.
    const h = harness(12_000);
    const DATA = 'onnx/model.onnx_data';
    h.at(0).send('initiate', MODEL).send('initiate', DATA);
    h.at(5).send('download', MODEL).send('download', DATA);
    h.at(10).send('progress', MODEL, 1500, 1500).send('done', MODEL);
    expect(h.last().phase).toBe('download');
    h.at(200).send('progress', DATA, 10_500, 10_500);
    h.at(201).send('done', DATA);
    expect(h.last()).toMatchObject({ phase: 'compile', filesDone: 2, filesTotal: 2, loadedBytes: 12_000 });
  });
});

describe('LoadProgressTracker throttling', () => {
  it('emits once for many progress events inside 100 ms, then again once 100 ms have passed', () => {
    const h = harness();
    h.at(0).send('initiate', MODEL);
    for (let ms = 1; ms < 100; ms += 1) h.at(ms).send('progress', MODEL, ms * 10, 10_000);
    expect(h.emitted).toHaveLength(1);

    h.at(100).send('progress', MODEL, 1000, 10_000);
    expect(h.emitted).toHaveLength(2);
    expect(h.last().loadedBytes).toBe(1000);

    for (let ms = 101; ms < 200; ms += 3) h.at(ms).send('progress', MODEL, 1000 + ms, 10_000);
    expect(h.emitted).toHaveLength(2);
  });

  it('always emits when a file completes, even inside the throttle window', () => {
    const h = harness();
    h.at(0).send('initiate', CONFIG).send('initiate', MODEL);
    h.at(1).send('progress', CONFIG, 100, 100);
    expect(h.emitted).toHaveLength(1);
    h.at(2).send('done', CONFIG);
    expect(h.emitted).toHaveLength(2);
    expect(h.last()).toMatchObject({ filesDone: 1, loadedBytes: 100 });
  });

  it('setPhase emits at once, whatever the clock says', () => {
    const h = harness();
    h.at(0).send('initiate', MODEL).send('progress', MODEL, 10_000, 10_000);
    h.at(1).send('done', MODEL);
    const before = h.emitted.length;
    h.at(2);
    h.tracker.setPhase('warm-up');
    expect(h.emitted).toHaveLength(before + 1);
    expect(h.last().phase).toBe('warm-up');
    h.tracker.setPhase('warm-up');
    expect(h.emitted).toHaveLength(before + 2);
    h.tracker.setPhase('ready');
    expect(h.emitted).toHaveLength(before + 3);
    expect(h.last()).toMatchObject({ phase: 'ready', filesDone: 1, filesTotal: 1, loadedBytes: 10_000 });
  });
});

describe('LoadProgressTracker cache reads', () => {
  function cachedLoad(h: Harness, file: string, size: number, startMs: number): void {
    h.at(startMs).send('initiate', file);
    h.tracker.cacheHit(file);
    h.send('download', file).send('progress', file, size, size).send('done', file);
  }

  it('reports cache-read for files the cache served, and compile after the last .onnx', () => {
    const h = harness();
    const phases: LoadPhase[] = [];
    cachedLoad(h, TOKENIZER, SIZES[TOKENIZER], 0);
    phases.push(h.last().phase);
    cachedLoad(h, CONFIG, SIZES[CONFIG], 10);
    phases.push(h.last().phase);
    h.at(20).send('initiate', MODEL);
    h.tracker.cacheHit(MODEL);
    h.send('download', MODEL).at(200).send('progress', MODEL, 5000, 10_000);
    phases.push(h.last().phase);
    h.at(210).send('progress', MODEL, 10_000, 10_000).send('done', MODEL);
    phases.push(h.last().phase);

    expect(phases).toEqual(['cache-read', 'cache-read', 'cache-read', 'compile']);
    expect(h.tracker.filesFromCache).toBe(3);
    expect(h.tracker.filesDownloaded).toBe(0);
  });

  it('does not flip back to download at each cached file’s initiate event', () => {
    // transformers.js reports `initiate` before it asks the cache, so the hit is only known from the next event on.
    const h = harness();
    cachedLoad(h, TOKENIZER, SIZES[TOKENIZER], 0);
    const firstHit = h.emitted.findIndex((progress) => progress.phase === 'cache-read');
    expect(firstHit).toBeGreaterThanOrEqual(0);
    cachedLoad(h, CONFIG, SIZES[CONFIG], 10);
    cachedLoad(h, MODEL, SIZES[MODEL], 20);
    const after = h.emitted.slice(firstHit).map((progress) => progress.phase);
    expect(after).not.toContain('download');
    expect(after.at(-1)).toBe('compile');
  });

  it('counts files from the cache and files downloaded separately', () => {
    const h = harness();
    cachedLoad(h, TOKENIZER, SIZES[TOKENIZER], 0);
    expect(h.last().phase).toBe('cache-read');
    loadFile(h, CONFIG, SIZES[CONFIG], 10);
    expect(h.last().phase).toBe('download');
    h.at(50).send('initiate', MODEL).send('progress', MODEL, 10, 10_000);
    expect(h.tracker.filesFromCache).toBe(1);
    expect(h.tracker.filesDownloaded).toBe(1); // the model is not done yet
    h.at(60).send('progress', MODEL, 10_000, 10_000).send('done', MODEL);
    expect(h.tracker.filesFromCache).toBe(1);
    expect(h.tracker.filesDownloaded).toBe(2);
  });

  it('starts with nothing counted', () => {
    const h = harness();
    expect(h.tracker.filesFromCache).toBe(0);
    expect(h.tracker.filesDownloaded).toBe(0);
  });
});

describe('loadProgressDetail', () => {
  const first: LoadProgress = { phase: 'download', loadedBytes: 0, totalBytes: 0, filesDone: 0, filesTotal: 1, file: CONFIG };

  it('says the download is starting before any size is known, never "0 B of 0 B · 0/1 files"', () => {
    expect(loadProgressDetail(first, 0)).toBe('Starting the download…');
    expect(loadProgressDetail({ ...first, phase: 'cache-read' }, 0)).toBe('Opening the stored files…');
    // The tracker's own first report for a build without a catalogue size reads the same.
    const { emitted } = harness(0).send('initiate', CONFIG).send('download', CONFIG);
    const line = loadProgressDetail(emitted.at(-1) ?? first, 0);
    expect(line).toBe('Starting the download…');
    expect(line).not.toMatch(/0 B|0\/1/);
  });

  it('gives the bytes so far when the total is unknown, and bytes of total, percentage, speed and files once known', () => {
    expect(loadProgressDetail({ ...first, loadedBytes: 2500 }, 0)).toBe('2.5 KB so far');
    const later: LoadProgress = { phase: 'download', loadedBytes: 5_000_000, totalBytes: 10_000_000, filesDone: 2, filesTotal: 3 };
    expect(loadProgressDetail(later, 2_000_000)).toBe('5.0 MB of 10.0 MB · 50% · 2.00 MB/s · 2 files done');
    expect(loadProgressDetail({ ...later, filesDone: 1, phase: 'compile' }, 2_000_000)).toBe('5.0 MB of 10.0 MB · 50% · 1 file done');
    expect(loadProgressDetail({ ...later, filesDone: 0 }, 0)).toBe('5.0 MB of 10.0 MB · 50%');
  });
});
