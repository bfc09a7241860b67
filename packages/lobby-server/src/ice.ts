/**
 * `welcome.iceServers`: STUN URLs as configured, and TURN URLs with per-peer credentials by the
 * TURN REST API scheme that coturn's `use-auth-secret` checks
 * (draft-uberti-behave-turn-rest-00): username `<expiry epoch s>:<peerId>`,
 * credential base64(HMAC-SHA1(secret, username)).
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '@tickmesh/protocol';

export interface IceConfig {
  stunUrls: readonly string[];
  turnUrls: readonly string[];
  turnSecret: string | null;
  turnTtlS: number;
}

/** The TURN REST credential for `username` under `secret`. */
export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** ICE servers for one peer at `nowMs`. No TURN entries without a secret. */
export function iceServersFor(config: IceConfig, peerId: string, nowMs: number): IceServer[] {
  const servers: IceServer[] = [];
  if (config.stunUrls.length > 0) servers.push({ urls: [...config.stunUrls] });
  if (config.turnUrls.length > 0 && config.turnSecret !== null) {
    const username = `${Math.floor(nowMs / 1000) + config.turnTtlS}:${peerId}`;
    servers.push({ urls: [...config.turnUrls], username, credential: turnCredential(config.turnSecret, username) });
  }
  return servers;
}
