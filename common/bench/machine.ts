// What tells one machine's benchmark results from another's: the browser profile's id and the GPU adapter. Kept
// apart from the result schema (result.ts) so the auto-pick, which runs at start, carries only this.
import type { GpuInfo } from '../protocol';

/** What tells one machine from another: the browser profile's id and the adapter. */
export interface MachineIdentity {
  deviceId: string;
  adapter: Pick<GpuInfo, 'vendor' | 'architecture' | 'device' | 'description' | 'isFallbackAdapter'>;
}

/** Same browser profile and same adapter: results measured "on this device". */
export function sameMachine(a: MachineIdentity, b: MachineIdentity): boolean {
  const x = a.adapter;
  const y = b.adapter;
  return (
    a.deviceId === b.deviceId &&
    x.vendor === y.vendor &&
    x.architecture === y.architecture &&
    x.device === y.device &&
    x.description === y.description &&
    x.isFallbackAdapter === y.isFallbackAdapter
  );
}

