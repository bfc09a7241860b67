/** Secrets and public identifiers, all drawn from the CSPRNG. */
import { randomBytes, randomInt } from 'node:crypto';
import { Limits } from '@tickmesh/protocol';

export interface IdSource {
  /** Public peer id. */
  peerId(): string;
  /** Session secret: 256 bits. */
  token(): string;
  /** Six characters of the room code alphabet. */
  roomCode(): string;
}

export const cryptoIds: IdSource = {
  peerId: () => randomBytes(9).toString('base64url'),
  token: () => randomBytes(32).toString('base64url'),
  roomCode: () => {
    const alphabet = Limits.roomCodeAlphabet;
    let code = '';
    for (let i = 0; i < Limits.roomCodeLength; i++) code += alphabet[randomInt(alphabet.length)];
    return code;
  },
};
