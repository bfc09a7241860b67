// Node netcode peers for tests and benches: the real lobby client over `ws` and the real mesh over
// @roamhq/wrtc (libwebrtc, as in Chromium).
import wrtc from '@roamhq/wrtc';
import {
  createLobbyClient,
  createMesh,
  type LinkState,
  type LobbyClient,
  type LobbySocket,
  type Mesh,
  type MeshOptions,
} from '@tickmesh/netcode';
import WebSocket from 'ws';

export interface NodePeer<P = unknown> {
  name: string;
  lobby: LobbyClient;
  /** Replaceable, as a page reload would. */
  mesh: Mesh<P>;
  /** Every message received, in arrival order. */
  inbox: { from: string; payload: P; reliable: boolean }[];
  close(): void;
}

export const createSocket = (url: string): LobbySocket => new WebSocket(url);

export async function nodePeer<P = unknown>(
  url: string,
  name: string,
  meshOptions: Partial<Omit<MeshOptions<P>, 'lobby'>> = {},
): Promise<NodePeer<P>> {
  const lobby = createLobbyClient({ url, name, createSocket });
  const welcome = await lobby.connect();
  if (!welcome.ok) throw new Error(`${name}: lobby refused: ${welcome.code} ${welcome.message}`);
  const mesh = createMesh<P>({
    lobby,
    createPeerConnection: (config) => new wrtc.RTCPeerConnection(config),
    ...meshOptions,
  });
  const inbox: NodePeer<P>['inbox'] = [];
  mesh.on('message', (m) => inbox.push(m));
  const peer: NodePeer<P> = {
    name,
    lobby,
    mesh,
    inbox,
    close() {
      peer.mesh.close();
      lobby.close();
    },
  };
  return peer;
}

/** True when `peer` has a connected link to each of `others`. */
export function linkedTo(peer: NodePeer<unknown>, others: readonly NodePeer<unknown>[]): boolean {
  return others.every((o) => o === peer || peer.mesh.links.get(o.lobby.peerId ?? '') === ('connected' as LinkState));
}

/** A room of `names`: the first creates it, the rest join in order. */
export async function meshRoom<P = unknown>(
  url: string,
  names: readonly string[],
  meshOptions: Partial<Omit<MeshOptions<P>, 'lobby'>> = {},
): Promise<NodePeer<P>[]> {
  const peers: NodePeer<P>[] = [];
  for (const name of names) peers.push(await nodePeer<P>(url, name, meshOptions));
  const [host, ...rest] = peers;
  if (!host) return peers;
  const created = await host.lobby.createRoom({ maxPlayers: 16 });
  if (!created.ok) throw new Error(`createRoom: ${created.code}`);
  for (const p of rest) {
    const joined = await p.lobby.joinRoom(created.value.code);
    if (!joined.ok) throw new Error(`${p.name} joinRoom: ${joined.code}`);
  }
  return peers;
}
