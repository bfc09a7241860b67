/**
 * One headless bot player: the real lobby client (over `ws`) and the real session (over
 * @roamhq/wrtc, the libwebrtc a browser has), driven by the same bot brain as the menu's attract
 * mode. It joins a room, readies up whenever the room is open, and plays until closed.
 */
import wrtc from '@roamhq/wrtc';
import { createLobbyClient, type LobbyClient, type Logger } from '@tickmesh/netcode';
import { createRandom } from '@tickmesh/netcode/testing';
import WebSocket from 'ws';
import { createBotBrain } from '../src/bot-brain.js';
import { type ArenaNet, createArenaNet } from '../src/net.js';
import { matchSettings } from '../src/settings.js';
import { NEUTRAL_INPUT, playerEntityId } from '../src/simulation.js';

export interface BotOptions {
  lobbyUrl: string;
  /** Room code to join; null: quick play. */
  room: string | null;
  /** With `room` null: create a private room of this many players instead of quick play (bench:upload). */
  createMaxPlayers?: number;
  name: string;
  seed: number;
  logger: Logger;
}

export interface Bot {
  readonly name: string;
  readonly lobby: LobbyClient;
  readonly net: ArenaNet;
  close(): void;
}

export async function startBot(options: BotOptions): Promise<Bot> {
  const lobby = createLobbyClient({
    url: options.lobbyUrl,
    name: options.name,
    createSocket: (url) => new WebSocket(url),
    logger: options.logger,
  });
  const welcome = await lobby.connect();
  if (!welcome.ok) throw new Error(`${options.name}: the lobby refused: ${welcome.code} ${welcome.message}`);
  const brain = createBotBrain(createRandom(options.seed));
  const self = playerEntityId(welcome.value.peerId);
  const net: ArenaNet = createArenaNet({
    lobby,
    relay: false,
    settings: () => matchSettings(lobby.room),
    createPeerConnection: (config) => new wrtc.RTCPeerConnection(config),
    sampleInput: () => {
      const view = net.view();
      return view ? brain.think(view.world, self) : NEUTRAL_INPUT;
    },
  });
  // Ready up whenever the room is open (after joining, and again after every round).
  let readying = false;
  lobby.on('room', (room) => {
    const me = room?.peers.find((p) => p.id === lobby.peerId);
    if (!room || !me || room.state !== 'open' || me.ready || readying || room.hostId === me.id) return;
    readying = true;
    void lobby.setReady(true).finally(() => {
      readying = false;
    });
  });
  const joined =
    options.room !== null
      ? await lobby.joinRoom(options.room)
      : options.createMaxPlayers !== undefined
        ? await lobby.createRoom({ maxPlayers: options.createMaxPlayers })
        : await lobby.quickplay();
  if (!joined.ok) {
    net.close();
    lobby.close();
    throw new Error(`${options.name}: cannot join ${options.room ?? 'a quick play room'}: ${joined.code}`);
  }
  return {
    name: options.name,
    lobby,
    net,
    close() {
      net.close();
      lobby.close();
    },
  };
}
