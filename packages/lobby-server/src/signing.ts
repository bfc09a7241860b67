/**
 * What lets a restarted lobby recognise its players and their rooms without having kept any
 * state: session tokens and room tickets signed with the server's session secret (HMAC-SHA256).
 *
 * - A token is `<peerId>.<nonce>.<mac>`: a secret the client keeps, which proves "I am this peer
 *   id". While the server holds the session it matches tokens exactly (and rotates them on every
 *   resume); after a restart it has nothing to match, so it checks the signature instead and gives
 *   the peer back its id.
 * - A room ticket is the mac of a `room.state` room as the server sent it: whoever holds the
 *   room and its ticket can have the room back (`room.restore`) as the server last described it,
 *   members, host and state, and nobody can make one up.
 *
 * Reference: RFC 2104 (HMAC); the same idea as signed session cookies.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Signer {
  /** A token for `peerId` around a fresh random `nonce` (base64url). */
  issueToken(peerId: string, nonce: string): string;
  /** The peer id a token was issued for, when its signature holds; else null. */
  verifyToken(token: string): string | null;
  /** The ticket of a room serialized as `roomJson`. */
  roomTicket(roomJson: string): string;
  /** True when `ticket` is this server's ticket for `roomJson`. */
  verifyTicket(roomJson: string, ticket: string): boolean;
}

export function createSigner(secret: Uint8Array): Signer {
  const mac = (purpose: string, text: string) =>
    createHmac('sha256', secret).update(purpose).update('\0').update(text).digest('base64url');
  const same = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };
  return {
    issueToken(peerId, nonce) {
      return `${peerId}.${nonce}.${mac('token', `${peerId}.${nonce}`)}`;
    },
    verifyToken(token) {
      const parts = token.split('.');
      if (parts.length !== 3) return null;
      const [peerId = '', nonce = '', signature = ''] = parts;
      if (peerId === '' || nonce === '') return null;
      return same(signature, mac('token', `${peerId}.${nonce}`)) ? peerId : null;
    },
    roomTicket(roomJson) {
      return mac('room', roomJson);
    },
    verifyTicket(roomJson, ticket) {
      return same(ticket, mac('room', roomJson));
    },
  };
}
