// Memory bandwidth of common GPUs, for the decode roofline, and the rule that finds this adapter among them.
// Browsers seldom name the GPU (adapter.info.description and device are empty unless a developer flag is on), so
// a name in the description matches one entry, a vendor and architecture narrow the table to the candidates the
// user picks from, and a software adapter (SwiftShader) has no GPU memory to speak of. Figures are decimal GB/s,
// as the vendors publish them; each entry cites its source. A figure the user types in always wins over the table.
import type { GpuInfo } from '../protocol';

export interface GpuBandwidth {
  id: string;
  name: string;
  /** GB/s (10^9 bytes per second). */
  bandwidthGBps: number;
  /** `adapter.info.vendor` as Chromium reports it. */
  vendor: 'nvidia' | 'amd' | 'intel' | 'apple';
  /** `adapter.info.architecture` as Chromium (Dawn) reports it; absent where Dawn names none or the name varies. */
  architecture?: string;
  /** Matches the adapter's description or device name. */
  pattern: RegExp;
  /** Where the figure comes from: the vendor's spec page, or the arithmetic for shared memory. */
  source: string;
}

/** Most specific first: the first entry whose pattern matches a description wins. */
export const GPU_BANDWIDTHS: readonly GpuBandwidth[] = Object.freeze([
  // Data-centre GPUs. Dawn's architecture table has no Hopper, so H100 and H200 report no architecture.
  { id: 'h200', name: 'NVIDIA H200', bandwidthGBps: 4800, vendor: 'nvidia', pattern: /\bH200\b/i,
    source: 'nvidia.com/en-us/data-center/h200/: 4.8 TB/s' },
  { id: 'h100-nvl', name: 'NVIDIA H100 NVL', bandwidthGBps: 3900, vendor: 'nvidia', pattern: /\bH100\b.*\bNVL\b/i,
    source: 'nvidia.com/en-us/data-center/h100/: 3.9 TB/s' },
  { id: 'h100-pcie', name: 'NVIDIA H100 PCIe', bandwidthGBps: 2000, vendor: 'nvidia', pattern: /\bH100\b.*\bPCIe\b/i,
    source: 'nvidia.com/en-us/data-center/h100/: 2 TB/s' },
  { id: 'h100-sxm', name: 'NVIDIA H100 SXM', bandwidthGBps: 3350, vendor: 'nvidia', pattern: /\bH100\b/i,
    source: 'nvidia.com/en-us/data-center/h100/: 3.35 TB/s' },
  { id: 'a100-80-pcie', name: 'NVIDIA A100 80GB PCIe', bandwidthGBps: 1935, vendor: 'nvidia', architecture: 'ampere', pattern: /\bA100\b.*80\s?GB.*PCIe/i,
    source: 'nvidia.com/en-us/data-center/a100/: 1,935 GB/s' },
  { id: 'a100-80-sxm', name: 'NVIDIA A100 80GB SXM', bandwidthGBps: 2039, vendor: 'nvidia', architecture: 'ampere', pattern: /\bA100\b.*80\s?GB/i,
    source: 'nvidia.com/en-us/data-center/a100/: 2,039 GB/s' },
  { id: 'a100-40', name: 'NVIDIA A100 40GB', bandwidthGBps: 1555, vendor: 'nvidia', architecture: 'ampere', pattern: /\bA100\b/i,
    source: 'nvidia.com/en-us/data-center/a100/: 1,555 GB/s' },
  { id: 'l40s', name: 'NVIDIA L40S', bandwidthGBps: 864, vendor: 'nvidia', architecture: 'lovelace', pattern: /\bL40S\b/i,
    source: 'nvidia.com/en-us/data-center/l40s/: 864 GB/s' },
  { id: 'l4', name: 'NVIDIA L4', bandwidthGBps: 300, vendor: 'nvidia', architecture: 'lovelace', pattern: /\bL4\b/,
    source: 'nvidia.com/en-us/data-center/l4/: 300 GB/s' },
  { id: 't4', name: 'NVIDIA T4', bandwidthGBps: 320, vendor: 'nvidia', architecture: 'turing', pattern: /\bT4\b/,
    source: 'nvidia.com/en-us/data-center/tesla-t4/: 320 GB/s' },
  // GeForce desktop cards (laptop parts differ and are left out). Memory speed × bus width, as on the spec pages.
  { id: 'rtx-5090', name: 'NVIDIA GeForce RTX 5090', bandwidthGBps: 1792, vendor: 'nvidia', architecture: 'blackwell', pattern: /RTX\s?5090(?!.*Laptop)/i,
    source: 'nvidia.com/en-us/geforce/graphics-cards/50-series/rtx-5090/: 28 Gbps × 512-bit' },
  { id: 'rtx-4090', name: 'NVIDIA GeForce RTX 4090', bandwidthGBps: 1008, vendor: 'nvidia', architecture: 'lovelace', pattern: /RTX\s?4090(?!.*Laptop)/i,
    source: 'nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/: 21 Gbps × 384-bit' },
  { id: 'rtx-4080', name: 'NVIDIA GeForce RTX 4080', bandwidthGBps: 716.8, vendor: 'nvidia', architecture: 'lovelace', pattern: /RTX\s?4080(?!.*(Laptop|SUPER))/i,
    source: 'nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4080-family/: 22.4 Gbps × 256-bit' },
  { id: 'rtx-4070', name: 'NVIDIA GeForce RTX 4070', bandwidthGBps: 504, vendor: 'nvidia', architecture: 'lovelace', pattern: /RTX\s?4070(?!.*(Laptop|Ti|SUPER))/i,
    source: 'nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4070-family/: 21 Gbps × 192-bit' },
  { id: 'rtx-4060', name: 'NVIDIA GeForce RTX 4060', bandwidthGBps: 272, vendor: 'nvidia', architecture: 'lovelace', pattern: /RTX\s?4060(?!.*(Laptop|Ti))/i,
    source: 'nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4060-4060ti/: 17 Gbps × 128-bit' },
  { id: 'rtx-3090', name: 'NVIDIA GeForce RTX 3090', bandwidthGBps: 936, vendor: 'nvidia', architecture: 'ampere', pattern: /RTX\s?3090(?!.*(Laptop|Ti))/i,
    source: 'nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3090-3090ti/: 19.5 Gbps × 384-bit' },
  { id: 'rtx-3080', name: 'NVIDIA GeForce RTX 3080 (10 GB)', bandwidthGBps: 760, vendor: 'nvidia', architecture: 'ampere', pattern: /RTX\s?3080(?!.*(Laptop|Ti))/i,
    source: 'nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3080-3080ti/: 19 Gbps × 320-bit' },
  { id: 'rtx-3070', name: 'NVIDIA GeForce RTX 3070', bandwidthGBps: 448, vendor: 'nvidia', architecture: 'ampere', pattern: /RTX\s?3070(?!.*(Laptop|Ti))/i,
    source: 'nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3070-3070ti/: 14 Gbps × 256-bit' },
  { id: 'rtx-3060', name: 'NVIDIA GeForce RTX 3060 (12 GB)', bandwidthGBps: 360, vendor: 'nvidia', architecture: 'ampere', pattern: /RTX\s?3060(?!.*(Laptop|Ti))/i,
    source: 'nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3060-3060ti/: 15 Gbps × 192-bit' },
  // Apple silicon: unified memory, the figure on each chip's apple.com/newsroom announcement and Mac tech specs.
  { id: 'm1', name: 'Apple M1', bandwidthGBps: 68.25, vendor: 'apple', pattern: /\bM1\b(?!\s*(Pro|Max|Ultra))/i,
    source: 'support.apple.com/kb/SP824 (MacBook Air M1): 68.25 GB/s' },
  { id: 'm1-pro', name: 'Apple M1 Pro', bandwidthGBps: 200, vendor: 'apple', pattern: /\bM1\s*Pro\b/i,
    source: 'apple.com/newsroom 2021-10 M1 Pro and M1 Max: 200 GB/s' },
  { id: 'm1-max', name: 'Apple M1 Max', bandwidthGBps: 400, vendor: 'apple', pattern: /\bM1\s*Max\b/i,
    source: 'same announcement: 400 GB/s' },
  { id: 'm2', name: 'Apple M2', bandwidthGBps: 100, vendor: 'apple', pattern: /\bM2\b(?!\s*(Pro|Max|Ultra))/i,
    source: 'apple.com/newsroom 2022-06 M2: 100 GB/s' },
  { id: 'm2-pro', name: 'Apple M2 Pro', bandwidthGBps: 200, vendor: 'apple', pattern: /\bM2\s*Pro\b/i,
    source: 'apple.com/newsroom 2023-01 M2 Pro and M2 Max: 200 GB/s' },
  { id: 'm2-max', name: 'Apple M2 Max', bandwidthGBps: 400, vendor: 'apple', pattern: /\bM2\s*Max\b/i,
    source: 'same announcement: 400 GB/s' },
  { id: 'm3', name: 'Apple M3', bandwidthGBps: 100, vendor: 'apple', pattern: /\bM3\b(?!\s*(Pro|Max|Ultra))/i,
    source: 'apple.com/macbook-pro specs (M3): 100 GB/s' },
  { id: 'm3-pro', name: 'Apple M3 Pro', bandwidthGBps: 150, vendor: 'apple', pattern: /\bM3\s*Pro\b/i,
    source: 'apple.com/newsroom 2023-10 M3 family: 150 GB/s' },
  { id: 'm3-max', name: 'Apple M3 Max (40-core GPU)', bandwidthGBps: 400, vendor: 'apple', pattern: /\bM3\s*Max\b/i,
    source: 'same announcement: up to 400 GB/s (300 GB/s on the 30-core GPU)' },
  { id: 'm4', name: 'Apple M4', bandwidthGBps: 120, vendor: 'apple', pattern: /\bM4\b(?!\s*(Pro|Max|Ultra))/i,
    source: 'apple.com/newsroom 2024-05 M4: 120 GB/s' },
  { id: 'm4-pro', name: 'Apple M4 Pro', bandwidthGBps: 273, vendor: 'apple', pattern: /\bM4\s*Pro\b/i,
    source: 'apple.com/newsroom 2024-10 M4 Pro and M4 Max: 273 GB/s' },
  { id: 'm4-max', name: 'Apple M4 Max (40-core GPU)', bandwidthGBps: 546, vendor: 'apple', pattern: /\bM4\s*Max\b/i,
    source: 'same announcement: 546 GB/s (410 GB/s on the 32-core GPU)' },
  // AMD Radeon desktop cards: amd.com product specifications (memory speed × bus width).
  { id: 'rx-7900-xtx', name: 'AMD Radeon RX 7900 XTX', bandwidthGBps: 960, vendor: 'amd', architecture: 'rdna-3', pattern: /RX\s?7900\s?XTX/i,
    source: 'amd.com RX 7900 XTX: 20 Gbps × 384-bit' },
  { id: 'rx-7900-xt', name: 'AMD Radeon RX 7900 XT', bandwidthGBps: 800, vendor: 'amd', architecture: 'rdna-3', pattern: /RX\s?7900\s?XT\b/i,
    source: 'amd.com RX 7900 XT: 20 Gbps × 320-bit' },
  { id: 'rx-6800-xt', name: 'AMD Radeon RX 6800 XT', bandwidthGBps: 512, vendor: 'amd', architecture: 'rdna-2', pattern: /RX\s?6800\s?XT/i,
    source: 'amd.com RX 6800 XT: 16 Gbps × 256-bit' },
  // Intel: a discrete card, and integrated graphics, which share the system's DDR (transfer rate × 8 B × 2 channels).
  { id: 'arc-a770', name: 'Intel Arc A770', bandwidthGBps: 560, vendor: 'intel', pattern: /Arc.*A770/i,
    source: 'intel.com Arc A770 specifications: 560 GB/s' },
  { id: 'iris-xe-lpddr4x', name: 'Intel Iris Xe (shared LPDDR4x-4266)', bandwidthGBps: 68.3, vendor: 'intel', architecture: 'gen-12lp', pattern: /Iris.*Xe.*LPDDR4x/i,
    source: '4,266 MT/s × 8 B × 2 channels' },
  { id: 'iris-xe-ddr4', name: 'Intel Iris Xe (shared DDR4-3200)', bandwidthGBps: 51.2, vendor: 'intel', architecture: 'gen-12lp', pattern: /Iris.*Xe/i,
    source: '3,200 MT/s × 8 B × 2 channels' },
]);

export type BandwidthMatch =
  | { kind: 'matched'; entry: GpuBandwidth }
  | { kind: 'candidates'; entries: GpuBandwidth[] }
  | { kind: 'software' }
  | { kind: 'unknown' };

type AdapterInfo = Pick<GpuInfo, 'webgpu' | 'vendor' | 'architecture' | 'device' | 'description' | 'isFallbackAdapter'>;

/** Finds this adapter in the table: by name where the browser gives one, else the candidates of its vendor and architecture. */
export function matchBandwidth(adapter: AdapterInfo): BandwidthMatch {
  if (!adapter.webgpu) return { kind: 'unknown' };
  if (adapter.isFallbackAdapter || adapter.architecture === 'swiftshader') return { kind: 'software' };
  const name = `${adapter.description} ${adapter.device}`.trim();
  if (name) {
    const entry = GPU_BANDWIDTHS.find((candidate) => candidate.pattern.test(name));
    if (entry) return { kind: 'matched', entry };
  }
  const vendor = adapter.vendor.toLowerCase();
  const architecture = adapter.architecture.toLowerCase();
  const entries = GPU_BANDWIDTHS.filter(
    (entry) =>
      entry.vendor === vendor && (architecture === '' || entry.architecture === undefined || entry.architecture === architecture),
  );
  return entries.length > 0 ? { kind: 'candidates', entries } : { kind: 'unknown' };
}

export function bandwidthById(id: string): GpuBandwidth | undefined {
  return GPU_BANDWIDTHS.find((entry) => entry.id === id);
}
