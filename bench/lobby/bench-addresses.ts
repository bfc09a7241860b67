/**
 * The client addresses the attack scenario's connections present in `X-Forwarded-For` (the server
 * runs with `--trust-proxy`, so each connection counts as coming from the address it names; only
 * 127.0.0.1 is ever connected to). They come from 198.18.0.0/15, the range set aside for network
 * benchmarks (RFC 2544, RFC 6890), so no figure or log of the bench can name a real host: honest
 * players from 198.18.0.0/16, one address each; attackers from 198.19.0.0/16, a few addresses shared.
 */

/** 198.18.0.0 as a 32-bit number: honest client `k` presents `HONEST_BASE + 1 + k`. */
export const HONEST_BASE = ipv4Number(198, 18, 0, 0);
/** 198.19.0.0 as a 32-bit number: attacker address `a` (0, 1, ...) is `ATTACKER_BASE + 1 + a`. */
export const ATTACKER_BASE = ipv4Number(198, 19, 0, 0);

function ipv4Number(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

/** Dotted-quad text of a 32-bit address. */
export function ipv4Text(address: number): string {
  return [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff].join('.');
}
