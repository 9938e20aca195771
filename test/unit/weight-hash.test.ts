// The piece hash of the weight store: equal for equal bytes, different after any one flipped byte (every position of
// a small buffer, any bit), after a cut or an added byte, and found in the slice that holds the damage.
import { describe, expect, it } from 'vitest';
import { firstDamaged, hashBytes, sliceHashesOf } from '../../workers/cache/weight-hash';

function bytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(length));
  for (let index = 0; index < length; index += 1) out[index] = (index * 7 + seed) % 256;
  return out;
}

describe('the piece hash', () => {
  it('is 64 bits of hex, the same for the same bytes wherever they sit in memory', () => {
    const data = bytes(1027);
    const hash = hashBytes(data);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    const offset = new Uint8Array(new ArrayBuffer(1030), 3);
    offset.set(data);
    expect(hashBytes(offset)).toBe(hash);
    expect(hashBytes(bytes(1027, 2))).not.toBe(hash);
  });

  it('changes when any one byte is flipped, by any bit, or the bytes are cut or extended', () => {
    const data = bytes(259);
    const hash = hashBytes(data);
    const seen = new Set<string>([hash]);
    for (let at = 0; at < data.length; at += 1) {
      for (const bit of [0x01, 0x80]) {
        const flipped = data.slice();
        flipped[at] = (flipped[at] ?? 0) ^ bit;
        seen.add(hashBytes(flipped));
      }
    }
    expect(seen.size).toBe(1 + data.length * 2);
    for (let length = 0; length < data.length; length += 1) expect(hashBytes(data.subarray(0, length))).not.toBe(hash);
    expect(hashBytes(new Uint8Array([...data, 0]))).not.toBe(hash);
  });
});

describe('slice hashes of a whole blob', () => {
  it('find the slice a flipped byte is in, and fail a blob cut short or extended', async () => {
    const data = bytes(1000);
    const hashes = await sliceHashesOf(new Blob([data]), 256);
    expect(hashes.values).toHaveLength(4);
    expect(hashes.values[3]).toBe(hashBytes(data.subarray(768)));
    expect(await firstDamaged(new Blob([data]), hashes)).toBeUndefined();

    const flipped = data.slice();
    flipped[600] = (flipped[600] ?? 0) ^ 1;
    expect(await firstDamaged(new Blob([flipped]), hashes)).toBe(2);
    expect(await firstDamaged(new Blob([data.subarray(0, 999)]), hashes)).toBe(3);
    expect(await firstDamaged(new Blob([data.subarray(0, 700)]), hashes)).toBe(2);
    expect(await firstDamaged(new Blob([data, new Uint8Array(1)]), hashes)).toBe(3);
  });
});
