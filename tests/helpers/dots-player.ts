/**
 * A Node player of the dots test game (@tickmesh/netcode/testing) over the real mesh: a lobby
 * client, a session on @roamhq/wrtc, the input it holds (the test changes it), and every input
 * its session sampled, by tick; and a room of them playing. The sync tests over real parts build
 * on it.
 */
import wrtc from '@roamhq/wrtc';
import { createLobbyClient, createSession, type LobbyClient, playerEntityId, type Session } from '@tickmesh/netcode';
import { type DotsEvent, type DotsInput, type DotsState, dotsGame, type dotsSchema } from '@tickmesh/netcode/testing';
import { createSocket } from './netcode-peer.js';
import { waitFor } from './wait.js';

export type DotsSession = Session<DotsState, DotsInput, DotsEvent, typeof dotsSchema.definition>;

export interface DotsPlayer {
  name: string;
  id: string;
  session: DotsSession;
  /** What the player holds now; the test changes it. */
  input: DotsInput;
  /** The input each tick sampled (the test may take entries out as it checks them). */
  sampled: Map<number, DotsInput>;
  close(): void;
}

/** Connects `name` to the lobby at `url` and makes its session (it follows the room it joins). */
export async function joinDots(url: string, name: string): Promise<DotsPlayer> {
  const lobby = createLobbyClient({ url, name, createSocket });
  if (!(await lobby.connect()).ok) throw new Error(`lobby refused ${name}`);
  const sampled = new Map<number, DotsInput>();
  const player: DotsPlayer = {
    name,
    id: lobby.peerId ?? '',
    input: { dx: 0, dy: 0, fire: false },
    sampled,
    session: createSession({
      lobby,
      game: dotsGame,
      createPeerConnection: (config) => new wrtc.RTCPeerConnection(config),
      sampleInput: (tick) => {
        sampled.set(tick, player.input);
        return player.input;
      },
    }),
    close() {
      player.session.close();
      lobby.close();
    },
  };
  return player;
}

/** A member of the room that plays no game: a bare mesh (a hostile peer, say). */
export interface DotsBystander {
  lobby: LobbyClient;
  mesh: { peers(): readonly string[] };
}

/**
 * Plays the dots game in one room: the first of `players` creates it, the other players and then
 * `extra` join and ready; once every member links to every other, the host starts the game, and
 * this resolves when every player's game runs.
 */
export async function playingDotsRoom(
  players: readonly DotsPlayer[],
  extra: readonly DotsBystander[] = [],
): Promise<void> {
  const [host, ...others] = players;
  if (host === undefined) throw new Error('a room needs a host');
  const room = await host.session.lobby.createRoom();
  if (!room.ok) throw new Error(`createRoom: ${room.code}`);
  for (const lobby of [...others.map((p) => p.session.lobby), ...extra.map((e) => e.lobby)]) {
    const joined = await lobby.joinRoom(room.value.code);
    if (!joined.ok) throw new Error(`joinRoom: ${joined.code}`);
    const ready = await lobby.setReady(true);
    if (!ready.ok) throw new Error(`setReady: ${ready.code}`);
  }
  const links = players.length + extra.length - 1;
  await waitFor(
    () =>
      players.every((p) => p.session.mesh.peers().length === links) &&
      extra.every((e) => e.mesh.peers().length === links),
    `a full mesh of ${links + 1}`,
  );
  const started = await host.session.lobby.start();
  if (!started.ok) throw new Error(`start: ${started.code}`);
  await waitFor(
    () => players.every((p) => p.session.sync.status.kind === 'hosting' || p.session.sync.status.kind === 'playing'),
    'the game to run',
    { timeoutMs: 10_000 },
  );
}

/** Where `viewer` draws `of`'s dot now, if it does. */
export function dotPosition(viewer: DotsPlayer, of: DotsPlayer) {
  const entity = viewer.session.sync.view()?.entities.get(playerEntityId(of.id));
  return entity?.kind === 'dot' ? entity.fields : undefined;
}
