// Normalises web-llm's load reports ({ progress, timeElapsed, text }) into our LoadProgress shape. web-llm says what
// it is doing only in the text, so the phase and the shard counts are parsed from it:
//   "Start to fetch params"                                  -> download, nothing yet
//   "Fetching param cache[3/18]: 120MB fetched. 20% ..."    -> download, shard 3 of 18, progress = bytes fraction
//   "Loading model from cache[3/18]: 120MB loaded. 20% ..." -> cache-read (shards copied from IndexedDB to the GPU)
//   "Loading GPU shader modules[40/120]: 33% ..."           -> compile
//   "Finish loading on WebGPU - ..."                        -> ready
// Anything else keeps the last phase. Bytes are the progress fraction of the expected total (the catalogue's
// figure, or web-llm's own "NMB" figure divided by the fraction when the catalogue has none).
import type { LoadPhase, LoadProgress } from '../../common/protocol';

/** The fields of web-llm's InitProgressReport that we read. */
export interface WebLlmProgressReport {
  progress: number;
  timeElapsed: number;
  text: string;
}

const MiB = 1024 * 1024;
const SHARDS = /\[(\d+)\/(\d+)\]/;
const MEGABYTES = /(\d+)MB (?:fetched|loaded)/;

export class WebLlmProgressNormaliser {
  readonly #expectedBytes: number;
  #totalBytes: number;
  #phase: LoadPhase = 'download';
  #shardsDone = 0;
  #shardsTotal = 0;
  #fetched = false;

  constructor(expectedBytes = 0) {
    this.#expectedBytes = expectedBytes;
    this.#totalBytes = expectedBytes;
  }

  /** True once web-llm has reported fetching weight shards from the network during this load. */
  get fetchedFromNetwork(): boolean {
    return this.#fetched;
  }

  get shardsTotal(): number {
    return this.#shardsTotal;
  }

  /** The progress before web-llm's first report (it fetches config, model library and tokenizer silently). */
  start(): LoadProgress {
    return this.#snapshot(0);
  }

  report(report: WebLlmProgressReport): LoadProgress {
    const fraction = Number.isFinite(report.progress) ? Math.min(1, Math.max(0, report.progress)) : 0;
    const text = report.text;
    const shards = SHARDS.exec(text);
    if (text.startsWith('Fetching param cache')) {
      this.#phase = 'download';
      this.#fetched = true;
      this.#readShards(shards);
      this.#learnTotal(text, fraction);
      return this.#snapshot(fraction);
    }
    if (text.startsWith('Loading model from cache')) {
      this.#phase = 'cache-read';
      this.#readShards(shards);
      this.#learnTotal(text, fraction);
      return this.#snapshot(fraction);
    }
    if (text.startsWith('Loading GPU shader modules')) {
      this.#phase = 'compile';
      this.#shardsDone = this.#shardsTotal;
      return this.#snapshot(1);
    }
    if (text.startsWith('Finish loading')) {
      this.#phase = 'ready';
      this.#shardsDone = this.#shardsTotal;
      return this.#snapshot(1);
    }
    if (text.startsWith('Start to fetch params')) {
      this.#phase = 'download';
      return this.#snapshot(0);
    }
    return this.#snapshot(this.#phase === 'download' || this.#phase === 'cache-read' ? fraction : 1);
  }

  #readShards(match: RegExpExecArray | null): void {
    if (!match) return;
    this.#shardsDone = Number(match[1]);
    this.#shardsTotal = Number(match[2]);
  }

  /** Without a catalogue figure, web-llm's rounded-up MB over the fraction gives the total. */
  #learnTotal(text: string, fraction: number): void {
    if (this.#expectedBytes > 0 || fraction <= 0) return;
    const megabytes = MEGABYTES.exec(text)?.[1];
    if (megabytes !== undefined) this.#totalBytes = Math.max(this.#totalBytes, Math.round((Number(megabytes) * MiB) / fraction));
  }

  #snapshot(fraction: number): LoadProgress {
    return {
      phase: this.#phase,
      loadedBytes: Math.round(fraction * this.#totalBytes),
      totalBytes: this.#totalBytes,
      filesDone: this.#shardsDone,
      filesTotal: this.#shardsTotal,
    };
  }
}
