// The download line of the welcome: what is left to fetch and about how long it takes, at the speed the browser
// reports or at a named assumed speed; never "0 B" for an unknown size, no time for a stored build.
import { describe, expect, it } from 'vitest';
import { ASSUMED_DOWNLINK_MBPS, describeDownload as describeWithNbsp, formatDuration as durationWithNbsp, type DownloadInput } from '../../src/lib/download-estimate';

// The texts keep figures with their units by no-break spaces; the expectations below are written with plain ones.
const plain = (text: string): string => text.replaceAll('\u00a0', ' ');
const describeDownload = (input: DownloadInput): string => plain(describeWithNbsp(input));
const formatDuration = (seconds: number): string => plain(durationWithNbsp(seconds));

describe('describeDownload', () => {
  it('says "size unknown" for a build without a size, never "0 B"', () => {
    expect(describeDownload({ bytes: undefined })).toBe('size unknown');
    expect(describeDownload({ bytes: 0 })).toBe('size unknown');
    expect(describeDownload({ bytes: Number.NaN, downlinkMbps: 50 })).toBe('size unknown');
    expect(describeDownload({ bytes: undefined, storedBytes: 4_200_000 })).toBe('size unknown (4.2 MB stored on this device)');
  });

  it('says "stored on this device", with no time, when nothing is left to fetch', () => {
    expect(describeDownload({ bytes: 600e6, storedBytes: 600e6 })).toBe('stored on this device');
    expect(describeDownload({ bytes: 600e6, storedBytes: 650e6, downlinkMbps: 5 })).toBe('stored on this device');
    // web-llm says when every shard is stored, whatever the catalogue's estimate says.
    expect(describeDownload({ bytes: 600e6, storedBytes: 590e6, storedInFull: true })).toBe('stored on this device');
    expect(describeDownload({ bytes: undefined, storedInFull: true })).toBe('stored on this device');
  });

  it('names the assumed speed when the browser reports none', () => {
    expect(ASSUMED_DOWNLINK_MBPS).toBe(20);
    // 600 MB = 4,800 Mbit: 240 s at 20 Mbit/s.
    expect(describeDownload({ bytes: 600e6 })).toBe('600 MB to download · about 4 min at 20 Mbit/s (an assumed speed)');
    expect(describeDownload({ bytes: 600e6, downlinkMbps: 0 })).toContain('(an assumed speed)');
    expect(describeDownload({ bytes: 600e6, downlinkMbps: Number.NaN })).toContain('at 20 Mbit/s');
  });

  it('uses the speed the browser reports, and says so', () => {
    expect(describeDownload({ bytes: 600e6, downlinkMbps: 10 })).toBe(
      '600 MB to download · about 8 min at the 10 Mbit/s this browser estimates',
    );
    expect(describeDownload({ bytes: 5.4e9, downlinkMbps: 10 })).toBe(
      '5.4 GB to download · about 1 h 12 min at the 10 Mbit/s this browser estimates',
    );
  });

  it('counts only what is not stored yet, and marks a catalogue estimate', () => {
    expect(describeDownload({ bytes: 1e9, storedBytes: 400e6, downlinkMbps: 100 })).toBe(
      '600 MB to download (400 MB already stored) · under a minute at the 100 Mbit/s this browser estimates',
    );
    expect(describeDownload({ bytes: 1.2e9, estimated: true })).toMatch(/^≈ 1\.2 GB to download · about 8 min/);
  });
});

describe('formatDuration', () => {
  it('keeps each figure with its unit', () => {
    expect(durationWithNbsp(90 * 60)).toBe('about 1\u00a0h\u00a030\u00a0min');
    expect(describeWithNbsp({ bytes: 600e6 })).toContain('at 20\u00a0Mbit/s');
  });

  it('rounds to whole minutes and hours', () => {
    expect(formatDuration(0)).toBe('under a minute');
    expect(formatDuration(59)).toBe('under a minute');
    expect(formatDuration(60)).toBe('about 1 min');
    expect(formatDuration(59 * 60)).toBe('about 59 min');
    expect(formatDuration(2 * 3600)).toBe('about 2 h');
    expect(formatDuration(90 * 60)).toBe('about 1 h 30 min');
  });
});
