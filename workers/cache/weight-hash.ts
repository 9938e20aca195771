// Integrity of stored weight files: a hash per piece, taken when the piece is written and checked when the file is
// read back, so a flipped byte on disk is caught before an engine parses it. A chunked download's pieces are its
// stored chunks; a whole blob is hashed in HASH_SLICE_BYTES slices, so a check holds one piece in memory however
// large the file. The threat is a damaged disk or a cut write, not an attacker (who could rewrite the hash beside
// the bytes), so the hash is a fast non-cryptographic one: two independent FNV-1a-style lanes over 32-bit words
// (64 bits). Each step is a bijection of a lane's state, so any one changed word always changes both lanes; random
// damage goes unseen with odds of about 2^-64 per piece. Measured in headless Chromium on a 500 MB file it costs a
// fraction of SubtleCrypto's SHA-256 (README, "Privacy and storage"), and runs in the worker, never the page.

/** Slices of a whole blob hashed one at a time: the memory a check holds at once, and what one hash covers. */
export const HASH_SLICE_BYTES = 16 * 2 ** 20;

/** Names the hash below; records with another name (from a later version) are checked by size only. */
export const HASH_ALGORITHM = 'fnv1a-2x32';

/** The hashes of a stored file's pieces, in order: its chunks, or slices of `sliceBytes` of a whole blob. */
export interface PieceHashes {
  algorithm: string;
  /** Present for a whole blob; a chunked file's pieces are its chunks. */
  sliceBytes?: number;
  values: string[];
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** The 64-bit hash of some bytes, as 16 hex digits (the length is mixed in, so a cut never hashes alike). */
export function hashBytes(bytes: Uint8Array): string {
  const wordCount = bytes.byteLength >>> 2;
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, wordCount);
  let a = 0x811c9dc5;
  let b = 0x9e3779b9 ^ bytes.byteLength;
  for (let index = 0; index < wordCount; index += 1) {
    const word = words[index] ?? 0;
    a = Math.imul(a ^ word, 0x01000193);
    b = Math.imul(b ^ word, 0x5bd1e995);
    b ^= b >>> 15;
  }
  let tail = 0;
  for (let index = wordCount * 4; index < bytes.byteLength; index += 1) tail = (tail << 8) | (bytes[index] ?? 0);
  a = Math.imul(a ^ tail ^ bytes.byteLength, 0x01000193);
  b = Math.imul(b ^ tail, 0x5bd1e995);
  b ^= b >>> 15;
  return hex32(a) + hex32(b);
}

/** The hash of one piece. */
export async function hashOf(piece: Blob): Promise<string> {
  return hashBytes(new Uint8Array(await piece.arrayBuffer()));
}

function slicesOf(blob: Blob, sliceBytes: number): Blob[] {
  const slices: Blob[] = [];
  for (let start = 0; start < blob.size; start += sliceBytes) slices.push(blob.slice(start, start + sliceBytes));
  return slices;
}

/** The hashes of a whole blob, slice by slice (an empty blob has none). */
export async function sliceHashesOf(blob: Blob, sliceBytes = HASH_SLICE_BYTES): Promise<PieceHashes> {
  const values: string[] = [];
  for (const slice of slicesOf(blob, sliceBytes)) values.push(await hashOf(slice));
  return { algorithm: HASH_ALGORITHM, sliceBytes, values };
}

/** Hashes of a chunked file: one per chunk, appended as chunks are stored. */
export function chunkHashes(values: string[]): PieceHashes {
  return { algorithm: HASH_ALGORITHM, values };
}

/** Index of the first piece whose hash differs from the one recorded (a count mismatch counts), or undefined. */
export async function firstDamagedPiece(pieces: readonly Blob[], recorded: readonly string[]): Promise<number | undefined> {
  const common = Math.min(pieces.length, recorded.length);
  for (let index = 0; index < common; index += 1) {
    const piece = pieces[index];
    if (!piece || (await hashOf(piece)) !== recorded[index]) return index;
  }
  return pieces.length === recorded.length ? undefined : common;
}

/** Whether these hashes can be checked here: written by this algorithm (else the file is checked by size only). */
export function checkable(hashes: PieceHashes | undefined): hashes is PieceHashes {
  return hashes?.algorithm === HASH_ALGORITHM;
}

/** Index of the first damaged piece of a file, from its pieces (chunks) or, for a whole blob, its slices. */
export async function firstDamaged(file: Blob | readonly Blob[], hashes: PieceHashes): Promise<number | undefined> {
  const pieces = file instanceof Blob ? slicesOf(file, hashes.sliceBytes ?? HASH_SLICE_BYTES) : file;
  return firstDamagedPiece(pieces, hashes.values);
}
