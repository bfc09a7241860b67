/**
 * SHA-256 by Web Crypto (`crypto.subtle.digest`; Node 20 has it on `globalThis.crypto`). Web Crypto
 * has no incremental hashing, so a file is hashed whole: the sender reads its Blob once for the
 * hash (in parallel with sending it), the receiver hashes the buffer it assembled the file in.
 */

/** The SHA-256 of `bytes`. */
export async function sha256(bytes: BufferSource): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

const blobHashes = new WeakMap<Blob, Promise<Uint8Array>>();

/** The SHA-256 of a Blob's bytes, computed once per Blob (a file sent to every peer is hashed once). */
export function sha256OfBlob(blob: Blob): Promise<Uint8Array> {
  let hash = blobHashes.get(blob);
  if (!hash) {
    hash = blob.arrayBuffer().then(sha256);
    blobHashes.set(blob, hash);
  }
  return hash;
}

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
