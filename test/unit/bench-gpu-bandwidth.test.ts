// Matching the adapter in the GPU bandwidth table: by name where the browser gives one (the most specific entry
// first), else the candidates of its vendor and architecture; a software adapter and an unknown vendor have none.
import { describe, expect, it } from 'vitest';
import { GPU_BANDWIDTHS, bandwidthById, matchBandwidth } from '../../common/bench/gpu-bandwidth';
import { LAPTOP_F16, NO_WEBGPU, SWIFTSHADER } from './gpu-adapters';

const named = (description: string, vendor = 'nvidia', architecture = ''): Parameters<typeof matchBandwidth>[0] => ({
  ...LAPTOP_F16,
  vendor,
  architecture,
  description,
});

function matchedId(adapter: Parameters<typeof matchBandwidth>[0]): string | undefined {
  const match = matchBandwidth(adapter);
  return match.kind === 'matched' ? match.entry.id : undefined;
}

describe('matching by name', () => {
  it('finds each entry by its own name, so no broader pattern shadows a narrower one', () => {
    for (const entry of GPU_BANDWIDTHS) expect(matchedId(named(entry.name, entry.vendor)), entry.name).toBe(entry.id);
  });

  it('tells variants apart', () => {
    expect(matchedId(named('NVIDIA H200'))).toBe('h200');
    expect(bandwidthById('h200')?.bandwidthGBps).toBe(4800);
    expect(matchedId(named('NVIDIA H100 80GB HBM3'))).toBe('h100-sxm');
    expect(matchedId(named('NVIDIA H100 PCIe'))).toBe('h100-pcie');
    expect(matchedId(named('Apple M3 Pro', 'apple'))).toBe('m3-pro');
    expect(matchedId(named('Apple M3', 'apple'))).toBe('m3');
    // A laptop part has other memory: no match by name, so the user picks or types.
    expect(matchedId(named('NVIDIA GeForce RTX 4090 Laptop GPU', 'nvidia', 'lovelace'))).toBeUndefined();
  });

  it('cites a source for every figure', () => {
    for (const entry of GPU_BANDWIDTHS) {
      expect(entry.source.length, entry.id).toBeGreaterThan(10);
      expect(entry.bandwidthGBps, entry.id).toBeGreaterThan(0);
    }
  });
});

describe('without a name', () => {
  it('offers the candidates of the vendor and architecture', () => {
    const match = matchBandwidth({ ...LAPTOP_F16, vendor: 'nvidia', architecture: 'lovelace' });
    expect(match.kind).toBe('candidates');
    const ids = match.kind === 'candidates' ? match.entries.map((entry) => entry.id) : [];
    expect(ids).toContain('rtx-4090');
    expect(ids).not.toContain('rtx-3090');
    expect(ids).not.toContain('m1');
  });

  it('offers every entry of the vendor when the browser names no architecture (Hopper has none in Dawn)', () => {
    const match = matchBandwidth({ ...LAPTOP_F16, vendor: 'nvidia', architecture: '' });
    const ids = match.kind === 'candidates' ? match.entries.map((entry) => entry.id) : [];
    expect(ids).toEqual(expect.arrayContaining(['h200', 'rtx-3060']));
  });

  it('says a software adapter has no GPU bandwidth, and knows nothing of an unknown vendor or no WebGPU', () => {
    expect(matchBandwidth(SWIFTSHADER).kind).toBe('software');
    expect(matchBandwidth({ ...LAPTOP_F16, vendor: 'qualcomm', architecture: 'adreno-7xx' }).kind).toBe('unknown');
    expect(matchBandwidth(NO_WEBGPU).kind).toBe('unknown');
  });
});
