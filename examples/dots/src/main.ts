/**
 * The dots page: pick a name, create a room or join one by its code, ready up, the host starts;
 * then every player's dot on a canvas with its name and score. The lobby is on the page's own
 * origin at /lobby (the dev server proxies it; in production the lobby server serves the page),
 * over `ws://` on http and `wss://` on https. `window.__dots.snapshot()` is for automation.
 */
import {
  createLobbyClient,
  createSession,
  type LobbyClient,
  type LobbyResult,
  playerEntityId,
  type Room,
  type Session,
} from '@tickmesh/netcode';
import { type DotsSchema, dotsGame, HEIGHT, type Input, RADIUS, type Scored, type State, WIDTH } from './game.js';
import { listenToKeys } from './keys.js';
import { statusLine } from './status.js';

/** What `window.__dots.snapshot()` returns: plain JSON. */
export interface DotsSnapshot {
  selfId: string | null;
  status: string;
  /** The last note: who scored, left, dropped or took over as host. */
  note: string;
  room: { code: string; state: Room['state']; hostId: string } | null;
  /** The dots as drawn this frame; `local`: drawn from this client's prediction (none on the host). */
  dots: { player: string | null; name: string; x: number; y: number; score: number; local: boolean }[];
}
declare global {
  interface Window {
    __dots: { snapshot(): DotsSnapshot };
  }
}

function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing from index.html`);
  return el;
}
const [nameInput, codeInput] = [byId('name', HTMLInputElement), byId('code', HTMLInputElement)];
const [createButton, joinButton] = [byId('create', HTMLButtonElement), byId('join', HTMLButtonElement)];
const [readyButton, startButton] = [byId('ready', HTMLButtonElement), byId('start', HTMLButtonElement)];
const [lobbyForm, roomBar, roomCode] = [
  byId('lobby-form', HTMLElement),
  byId('room-bar', HTMLElement),
  byId('room-code', HTMLElement),
];
const [statusEl, playersEl, noteEl] = [
  byId('status', HTMLElement),
  byId('players', HTMLElement),
  byId('note', HTMLElement),
];
const canvas = byId('field', HTMLCanvasElement).getContext('2d');
if (!canvas) throw new Error('no 2D canvas');
const ctx = canvas;

const keys = listenToKeys(window);
const lobbyUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/lobby`;
let lobby: LobbyClient | null = null;
let session: Session<State, Input, Scored, DotsSchema> | null = null;
const note = (text: string) => {
  noteEl.textContent = text;
};
const nameOf = (room: Room | null, id: string) => room?.peers.find((p) => p.id === id)?.name ?? 'someone';

/** Connects once (the name is fixed from then on) and makes the session, which follows the room. */
async function connect(): Promise<LobbyClient | null> {
  if (lobby) return lobby;
  const client = createLobbyClient({ url: lobbyUrl, name: nameInput.value.trim() || 'player' });
  lobby = client;
  client.on('left', ({ reason }) => note(`You left the room (${reason}).`));
  const hello = await client.connect();
  if (!hello.ok) {
    note(`Could not connect: ${hello.message}`);
    client.close();
    lobby = null;
    return null;
  }
  let before: Room | null = null;
  client.on('room', (room) => {
    if (before && room) noteChanges(before, room, client.peerId);
    before = room;
  });
  session = createSession({
    lobby: client,
    game: dotsGame,
    sampleInput: () => keys.sample(),
    createPeerConnection: (config) => new RTCPeerConnection(config),
    // `?relay` in the page's URL: every link through TURN, to try the relay path (docs/netcode.md).
    iceTransportPolicy: new URLSearchParams(location.search).has('relay') ? 'relay' : 'all',
  });
  session.sync.on('event', ({ event }) => note(`${nameOf(client.room, event.player)} scored (${event.score}).`));
  return client;
}

/** Says who left, dropped or took over as host. */
function noteChanges(before: Room, room: Room, selfId: string | null): void {
  for (const p of before.peers) {
    const now = room.peers.find((q) => q.id === p.id);
    if (!now) note(`${p.name} left.`);
    else if (p.connected && !now.connected) note(`${p.name} lost the connection; their place is kept a while.`);
  }
  if (before.hostId === room.hostId) return;
  const next = room.hostId === selfId ? 'you host now' : `${nameOf(room, room.hostId)} hosts now`;
  note(`The host (${nameOf(before, before.hostId)}) left: ${next}.`);
}

async function run(action: (client: LobbyClient) => Promise<LobbyResult<unknown>>): Promise<void> {
  createButton.disabled = joinButton.disabled = true;
  const client = await connect();
  const result = client && (await action(client));
  if (result && !result.ok) note(`${result.code}: ${result.message}`);
  createButton.disabled = joinButton.disabled = false;
}
const report = (result: LobbyResult<unknown>) => result.ok || note(`${result.code}: ${result.message}`);
createButton.onclick = () => run((client) => client.createRoom());
joinButton.onclick = () => run((client) => client.joinRoom(codeInput.value.trim().toUpperCase()));
readyButton.onclick = () => {
  const me = lobby?.room?.peers.find((p) => p.id === lobby?.peerId);
  if (lobby && me) void lobby.setReady(!me.ready).then(report);
};
startButton.onclick = () => void lobby?.start().then(report);

/** The DOM from the lobby's state, each frame (text is only written when it changes). */
function renderUi(): void {
  const room = lobby?.room ?? null;
  const selfId = lobby?.peerId ?? null;
  lobbyForm.hidden = room !== null;
  roomBar.hidden = room === null;
  roomCode.textContent = room?.code ?? '';
  readyButton.textContent = room?.peers.find((p) => p.id === selfId)?.ready ? 'Not ready' : 'Ready';
  readyButton.hidden = room?.hostId === selfId;
  readyButton.disabled = room?.state !== 'open';
  startButton.hidden = room?.hostId !== selfId;
  startButton.disabled = room?.state !== 'open';
  const status = statusLine(lobby, session?.sync.status ?? null, Date.now());
  if (statusEl.textContent !== status) statusEl.textContent = status;
  const tag = (p: Room['peers'][number]) => (p.id === room?.hostId ? ' (host)' : p.ready ? ' (ready)' : '');
  const players = (room?.peers ?? []).map((p) => `${p.name}${tag(p)}${p.connected ? '' : ' (away)'}`).join(' · ');
  if (playersEl.textContent !== players) playersEl.textContent = players;
}

/** The dots to draw: the local one predicted, the others interpolated (`view()` is null until the game runs). */
function drawnDots(): DotsSnapshot['dots'] {
  const view = session?.sync.view();
  const peers = new Map((lobby?.room?.peers ?? []).map((p) => [playerEntityId(p.id), p]));
  return [...(view?.entities ?? [])].map(([id, { fields }]) => ({
    player: peers.get(id)?.id ?? null,
    name: peers.get(id)?.name ?? '?',
    x: fields.x,
    y: fields.y,
    score: fields.score,
    local: view?.localEntities.has(id) ?? false,
  }));
}

function draw(g: CanvasRenderingContext2D): void {
  g.clearRect(0, 0, WIDTH, HEIGHT);
  g.font = '13px system-ui, sans-serif';
  g.textAlign = 'center';
  g.strokeStyle = '#ffffff';
  g.lineWidth = 2;
  for (const dot of drawnDots()) {
    g.fillStyle = `hsl(${dot.player ? playerEntityId(dot.player) % 360 : 0} 75% 60%)`;
    g.beginPath();
    g.arc(dot.x, dot.y, RADIUS, 0, 2 * Math.PI);
    g.fill();
    if (dot.player === lobby?.peerId) g.stroke(); // you
    g.fillStyle = '#e8ecf4';
    g.fillText(`${dot.name}: ${dot.score}`, dot.x, dot.y - RADIUS - 6);
  }
}

requestAnimationFrame(function frame() {
  renderUi();
  draw(ctx);
  requestAnimationFrame(frame);
});

window.__dots = {
  snapshot() {
    const room = lobby?.room ?? null;
    return {
      selfId: lobby?.peerId ?? null,
      status: statusEl.textContent ?? '',
      note: noteEl.textContent ?? '',
      room: room && { code: room.code, state: room.state, hostId: room.hostId },
      dots: drawnDots(),
    };
  },
};
