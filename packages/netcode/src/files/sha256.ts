/**
 * SHA-256 of a file, hashed as it moves: each side feeds the hash chunk by chunk (the sender as it
 * sends, the receiver as chunks arrive), so the digest is ready when the last byte is.
 *
 * Not Web Crypto: `crypto.subtle.digest` has no incremental form, so a file would be hashed whole
 * at the end, and the copy it makes of a 50 MB buffer held the receiving page's main thread (and
 * the game's packets with it) for 300-450 ms in bench:files. @noble/hashes (audited, no
 * dependencies) hashes about 100 MB/s in V8 here: a 16 KiB chunk costs about 0.15 ms.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export interface Hasher {
  update(bytes: Uint8Array): void;
  /** The SHA-256 of every byte fed so far (once: the hasher is done after it). */
  digest(): Uint8Array;
}

export const createHasher = (): Hasher => sha256.create();

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
