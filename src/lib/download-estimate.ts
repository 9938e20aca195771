// What loading a build will download and about how long it takes: the bytes not yet stored on this device, over the
// speed the browser reports (navigator.connection.downlink) or, where it reports none, an assumed speed that the
// text names. Invariants: an unknown size reads "size unknown", never "0 B"; a build stored in full reads "stored
// on this device" with no time; a time is never given without the speed it assumes.
import { formatBytes } from './format';

/** What the line says when nothing is left to fetch. */
export const STORED_ON_DEVICE = 'stored on this device';

/** The speed assumed when the browser does not report one, in Mbit/s: a middling home or 4G connection. */
export const ASSUMED_DOWNLINK_MBPS = 20;

export interface DownloadInput {
  /** The build's download at the precision it would load; undefined when unknown (custom repos). */
  bytes: number | undefined;
  /** The catalogue size is an estimate, not the files' real size. */
  estimated?: boolean;
  /** Bytes of it already stored on this device. */
  storedBytes?: number;
  /** Every file of it is stored (what the cache says), whatever the catalogue size. */
  storedInFull?: boolean;
  /** navigator.connection.downlink in Mbit/s, when the browser reports it. */
  downlinkMbps?: number;
}

/** "under a minute", "about 4 min", "about 1 h 20 min" (no-break spaces keep a figure with its unit). */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes}\u00a0min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `about ${hours}\u00a0h` : `about ${hours}\u00a0h\u00a0${rest}\u00a0min`;
}

/** One line: "≈ 570 MB to download · about 4 min at 20 Mbit/s (assumed)", "stored on this device" or "size unknown". */
export function describeDownload(input: DownloadInput): string {
  const { bytes, estimated = false, storedBytes = 0, storedInFull = false, downlinkMbps } = input;
  if (storedInFull) return STORED_ON_DEVICE;
  if (bytes === undefined || !Number.isFinite(bytes) || bytes <= 0) {
    return storedBytes > 0 ? `size unknown (${formatBytes(storedBytes)} stored on this device)` : 'size unknown';
  }
  const remaining = Math.max(0, bytes - storedBytes);
  if (remaining === 0) return STORED_ON_DEVICE;
  const reported = downlinkMbps !== undefined && Number.isFinite(downlinkMbps) && downlinkMbps > 0;
  const mbps = reported ? downlinkMbps : ASSUMED_DOWNLINK_MBPS;
  const seconds = (remaining * 8) / (mbps * 1e6);
  const speed = reported ? `at the ${mbps}\u00a0Mbit/s this browser estimates` : `at ${mbps}\u00a0Mbit/s (an assumed speed)`;
  const partly = storedBytes > 0 ? ` (${formatBytes(storedBytes)} already stored)` : '';
  return `${estimated ? '≈ ' : ''}${formatBytes(remaining)} to download${partly} · ${formatDuration(seconds)} ${speed}`;
}

/** navigator.connection.downlink, where the browser has the Network Information API (Chromium). */
export function reportedDownlinkMbps(): number | undefined {
  if (typeof navigator === 'undefined') return undefined;
  const connection: unknown = Reflect.get(navigator, 'connection');
  if (typeof connection !== 'object' || connection === null) return undefined;
  const downlink: unknown = Reflect.get(connection, 'downlink');
  return typeof downlink === 'number' && downlink > 0 ? downlink : undefined;
}
