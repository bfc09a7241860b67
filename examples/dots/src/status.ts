/**
 * The page's status line: what is happening, in words, from the lobby's status, the room and the
 * game's sync status. A pure function of them, so it reads the same wherever it is shown.
 */
import type { LobbyClient, LobbyStatus, SyncStatus } from '@tickmesh/netcode';

/** The lobby client as the status line reads it (null before the player connects). */
export type LobbyView = Pick<LobbyClient, 'status' | 'room' | 'peerId'> | null;

/** `nowMs`: wall clock, epoch ms, for the countdown. */
export function statusLine(client: LobbyView, sync: SyncStatus | null, nowMs: number): string {
  const lobby: LobbyStatus = client?.status ?? { kind: 'idle' };
  const room = client?.room ?? null;
  switch (lobby.kind) {
    case 'idle':
      return 'Pick a name, then create a room or join one by its code.';
    case 'connecting':
      return 'Connecting to the lobby…';
    case 'reconnecting':
      return `Lost the lobby (${lobby.reason}); retrying in ${(lobby.retryInMs / 1000).toFixed(1)} s…`;
    case 'closed':
      return `Disconnected from the lobby: ${lobby.detail}. Reload the page to play again.`;
    case 'identified':
      break;
  }
  if (!room) return 'Connected. Create a room, or join one by its code.';
  const host = room.peers.find((p) => p.id === room.hostId);
  const isHost = room.hostId === client?.peerId;
  const connected = room.peers.filter((p) => p.connected);
  if (room.state === 'countdown') {
    const seconds = Math.max(0, Math.ceil(((room.countdownEndsAt ?? nowMs) - nowMs) / 1000));
    return `Starting in ${seconds}…`;
  }
  if (room.state === 'open') {
    if (connected.length < 2) return `In room ${room.code}: waiting for another player (share the code).`;
    const unready = connected.filter((p) => p.id !== room.hostId && !p.ready).length;
    if (unready > 0) return `Waiting for ${unready} player${unready > 1 ? 's' : ''} to press Ready.`;
    return isHost ? 'Everyone is ready: press Start.' : `Everyone is ready: waiting for ${host?.name} to start.`;
  }
  if (sync?.kind === 'hosting') return 'Playing: you are the host. Arrow keys or WASD move, space scores.';
  if (sync?.kind !== 'playing') return 'Connecting to the other players…';
  return sync.hostSilent
    ? `The host (${host?.name}) is not answering; waiting for it, or for a new host…`
    : 'Playing. Arrow keys or WASD move, space scores.';
}
