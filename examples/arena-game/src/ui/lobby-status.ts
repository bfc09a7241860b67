/**
 * A small pill in a corner while the lobby connection is down: "Lobby offline, reconnecting…".
 * Only the lobby is away (a restart, a blip): the match and voice go on peer to peer, so it must
 * not get in the way of play.
 */
import type { LobbyConnection } from '@tickmesh/netcode';
import { h } from './dom.js';

export function createLobbyStatus() {
  const el = h('div.lobby-status.panel', { testid: 'lobby-status', role: 'status' });
  el.textContent = 'Lobby offline, reconnecting…';
  el.style.display = 'none';
  return {
    el,
    render(connection: LobbyConnection): void {
      el.style.display = connection === 'online' ? 'none' : '';
    },
  };
}
