/**
 * A Node player of the dots test game (@tickmesh/netcode/testing) over the real mesh: a lobby
 * client, a session on @roamhq/wrtc, the input it holds (the test changes it), and every input
 * its session sampled, by tick. The sync tests over real parts build on it.
 */
import wrtc from '@roamhq/wrtc';
import { createLobbyClient, createSession, playerEntityId, type Session } from '@tickmesh/netcode';
import { type DotsEvent, type DotsInput, type DotsState, dotsGame, type dotsSchema } from '@tickmesh/netcode/testing';
import { createSocket } from './netcode-peer.js';

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

/** Where `viewer` draws `of`'s dot now, if it does. */
export function dotPosition(viewer: DotsPlayer, of: DotsPlayer) {
  const entity = viewer.session.sync.view()?.entities.get(playerEntityId(of.id));
  return entity?.kind === 'dot' ? entity.fields : undefined;
}
