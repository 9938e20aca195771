// The GPU memory bandwidth the benchmark's roofline uses: typed in by the user, else the table entry they picked
// among the candidates, else the entry the adapter's name matched. Invariant: a typed figure is a positive number
// of GB/s or nothing; without any, there is no roofline ceiling (never a guessed one).
import { bandwidthById, matchBandwidth, type BandwidthMatch } from '../../../common/bench/gpu-bandwidth';
import type { GpuInfo } from '../../../common/protocol';

export class BandwidthSetting {
  #gpu: () => GpuInfo | undefined;
  #tableChoice = $state<string | undefined>();
  #typed = $state<number | undefined>();

  constructor(gpu: () => GpuInfo | undefined) {
    this.#gpu = gpu;
  }

  get match(): BandwidthMatch {
    const gpu = this.#gpu();
    return gpu ? matchBandwidth(gpu) : { kind: 'unknown' };
  }

  /** The table entry in use: the user's pick among the candidates, or the one the adapter's name matched. */
  get tableChoice(): string | undefined {
    const match = this.match;
    return this.#tableChoice ?? (match.kind === 'matched' ? match.entry.id : undefined);
  }

  get typed(): number | undefined {
    return this.#typed;
  }

  chooseTableEntry(id: string | undefined): void {
    this.#tableChoice = id === '' ? undefined : id;
  }

  type(value: number | undefined): void {
    this.#typed = value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
  }

  /** The figure in use, with where it comes from. */
  get value(): { gbps: number; source: string } | undefined {
    if (this.#typed !== undefined) return { gbps: this.#typed, source: 'typed in' };
    const entry = this.tableChoice === undefined ? undefined : bandwidthById(this.tableChoice);
    return entry ? { gbps: entry.bandwidthGBps, source: `${entry.name}: ${entry.source}` } : undefined;
  }
}
