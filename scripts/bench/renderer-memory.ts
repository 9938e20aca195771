// Peak memory of Chromium's renderer processes while something runs (a model load): the page, its inference worker
// and the engines' own workers all live in the renderer on Linux, so the peak resident size over the run, less the
// size before it, is what the load cost in CPU memory. Read from /proc every 50 ms; Linux only (elsewhere: undefined).
import { readdirSync, readFileSync } from 'node:fs';

function rendererPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('chromium') && cmdline.includes('--type=renderer')) pids.push(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return pids;
}

function residentBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function totalRendererBytes(): number {
  return rendererPids().reduce((sum, pid) => sum + residentBytes(pid), 0);
}

export interface MemoryPeak {
  beforeBytes: number;
  peakBytes: number;
  /** Peak less before: what the measured work added at its highest. */
  addedBytes: number;
}

/** Runs `work` while sampling the renderers' resident memory; undefined figures where /proc is not there. */
export async function measureRendererPeak<T>(work: () => Promise<T>): Promise<{ result: T; memory?: MemoryPeak }> {
  if (process.platform !== 'linux') return { result: await work() };
  const beforeBytes = totalRendererBytes();
  let peakBytes = beforeBytes;
  const timer = setInterval(() => {
    peakBytes = Math.max(peakBytes, totalRendererBytes());
  }, 50);
  try {
    const result = await work();
    peakBytes = Math.max(peakBytes, totalRendererBytes());
    return { result, memory: { beforeBytes, peakBytes, addedBytes: peakBytes - beforeBytes } };
  } finally {
    clearInterval(timer);
  }
}
