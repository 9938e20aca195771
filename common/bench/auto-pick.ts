// The auto-pick rule: among a model's builds, the one that decoded fastest on this device, judged by the latest
// result of each build on the device it would load on. Invariants: only results of this machine count (imported
// ones never do); a build's older results are ignored once a newer one exists, even when the older was faster; a
// build with no result is never picked; ties keep the candidates' order; once the user has chosen a build for a
// model over the auto-pick, the measurements no longer move their pick.
import { isRecord } from '../guards';
import type { Device } from '../protocol';
import { sameMachine, type MachineIdentity } from './machine';
import type { BenchResult } from './result';

export interface PickCandidate {
  buildId: string;
  /** Where this build would load here (its fit verdict's device). */
  device: Device;
}

export interface FastestBuild {
  buildId: string;
  device: Device;
  decodeTokensPerS: number;
  measuredAt: string;
  resultId: string;
}

/** What the auto-pick reads of a result. */
export type Measured = Pick<BenchResult, 'id' | 'buildId' | 'device' | 'decodeTokensPerS' | 'measuredAt'> & { machine: MachineIdentity };

const ADAPTER_TEXT = ['vendor', 'architecture', 'device', 'description'] as const;

/** A stored result as far as the auto-pick reads it (the Benchmark page checks every field); undefined if unreadable. */
export function parseMeasured(value: unknown): Measured | undefined {
  if (!isRecord(value) || !isRecord(value.machine) || !isRecord(value.machine.adapter)) return undefined;
  const { id, buildId, device, decodeTokensPerS, measuredAt } = value;
  const { deviceId, adapter } = value.machine;
  if (typeof id !== 'string' || typeof buildId !== 'string' || typeof measuredAt !== 'string' || typeof deviceId !== 'string') return undefined;
  if ((device !== 'webgpu' && device !== 'wasm') || typeof decodeTokensPerS !== 'number' || !Number.isFinite(decodeTokensPerS)) return undefined;
  const text = ADAPTER_TEXT.map((key) => adapter[key]);
  if (!text.every((item): item is string => typeof item === 'string') || typeof adapter.isFallbackAdapter !== 'boolean') return undefined;
  const [vendor = '', architecture = '', name = '', description = ''] = text;
  return {
    id,
    buildId,
    device,
    decodeTokensPerS,
    measuredAt,
    machine: { deviceId, adapter: { vendor, architecture, device: name, description, isFallbackAdapter: adapter.isFallbackAdapter } },
  };
}

/** The latest result of each build on this machine, then the fastest of those; undefined when none was measured. */
export function fastestBuild(
  candidates: readonly PickCandidate[],
  results: readonly Measured[],
  machine: MachineIdentity,
): FastestBuild | undefined {
  let best: FastestBuild | undefined;
  for (const candidate of candidates) {
    const latest = results
      .filter(
        (result) =>
          result.buildId === candidate.buildId && result.device === candidate.device && sameMachine(result.machine, machine),
      )
      .reduce<Measured | undefined>((newest, result) => (!newest || result.measuredAt > newest.measuredAt ? result : newest), undefined);
    if (!latest || !(latest.decodeTokensPerS > 0)) continue;
    if (!best || latest.decodeTokensPerS > best.decodeTokensPerS) {
      best = {
        buildId: latest.buildId,
        device: latest.device,
        decodeTokensPerS: latest.decodeTokensPerS,
        measuredAt: latest.measuredAt,
        resultId: latest.id,
      };
    }
  }
  return best;
}

export type PreferredBuild =
  | { buildId: string; because: 'chosen' }
  | { buildId: string; because: 'fastest'; fastest: FastestBuild }
  | { buildId: string; because: 'asked' };

/**
 * The build to select for a model. `asked` is the build the user picked in the list (undefined when the app picks a
 * default); `chosen` the build they chose for this model over the auto-pick before, if any. Once the user has
 * overridden the auto-pick for a model it stays theirs: what they ask for is selected, and their last choice is the
 * default. Otherwise the fastest build measured here wins, then what they asked for.
 */
export function preferredBuild(
  asked: string | undefined,
  candidates: readonly PickCandidate[],
  chosen: string | undefined,
  fastest: FastestBuild | undefined,
): PreferredBuild | undefined {
  const offered = (id: string | undefined): id is string => id !== undefined && candidates.some((candidate) => candidate.buildId === id);
  if (offered(chosen)) return { buildId: offered(asked) ? asked : chosen, because: 'chosen' };
  if (fastest) return { buildId: fastest.buildId, because: 'fastest', fastest };
  return offered(asked) ? { buildId: asked, because: 'asked' } : undefined;
}
