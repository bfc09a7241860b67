// The arena's lobby flow against a scripted lobby client: the session token remembered per lobby
// URL (and the newest one kept), refusals in the player's words, a resumed session staying in its
// room, ready=1 marking a guest ready once, Ready sent again after a round for a guest who was
// ready (unless "stay ready" is off), a new name making a new client and net layer, and chat sent
// through the net once there is one, how each send ended handed on so a refusal can be said.
import type {
  ChatMessage,
  LobbyClient,
  LobbyClientOptions,
  LobbyEvents,
  LobbyFailureCode,
  LobbyResult,
  LobbyStatus,
  Room,
} from '@tickmesh/netcode';
import { createEmitter } from '@tickmesh/netcode/internals';
import { describe, expect, it, vi } from 'vitest';
import type { ChatSent } from '../../examples/arena-game/src/app/chat-send.js';
import {
  createLobbyFlow,
  failureText,
  lobbyUrls,
  type RoomChange,
  type RoomRequest,
  unreachableText,
} from '../../examples/arena-game/src/app/lobby-flow.js';
import { createRemembered, type KeyValueStore } from '../../examples/arena-game/src/app/remembered.js';

type Welcome = Awaited<ReturnType<LobbyClient['connect']>>;
type Refusal = { ok: false; code: LobbyFailureCode; message: string };

/** What the scripted lobby answers. */
interface Script {
  /** The session token of each welcome, in order. */
  tokens: string[];
  refuseConnect?: Refusal;
  refuseJoin?: Refusal;
  /** A resumed session already in this room. */
  resumedIn?: (selfId: string) => Room;
  /** Host of the rooms made by create/join/quickplay: this client, or another peer. */
  host?: 'self' | 'other';
}

const LOBBY = 'ws://lobby.test/lobby';

function makeRoom(selfId: string, host: 'self' | 'other'): Room {
  return {
    code: 'AAAAAA',
    state: 'open',
    hostId: host === 'self' ? selfId : 'other',
    public: false,
    maxPlayers: 8,
    settings: { roundS: 120 },
    peers: [
      { id: selfId, name: 'Me', ready: false, connected: true, seq: 2 },
      { id: 'other', name: 'Other', ready: false, connected: true, seq: 1 },
    ],
  };
}

class FakeLobby implements LobbyClient {
  status: LobbyStatus = { kind: 'idle' };
  peerId: string | null = null;
  token: string | null = null;
  room: Room | null = null;
  iceServers = [];
  droppedMessages = 0;
  queuedSignals = 0;
  closed = false;
  readonly requests: string[] = [];
  readonly events = createEmitter<LobbyEvents>();

  constructor(
    readonly options: LobbyClientOptions,
    private readonly script: Script,
    private readonly n: number,
  ) {}

  get connection() {
    return this.status.kind === 'identified' ? ('online' as const) : ('offline' as const);
  }

  on<K extends keyof LobbyEvents>(type: K, listener: (event: LobbyEvents[K]) => void): () => void {
    return this.events.on(type, listener);
  }

  setRoom(room: Room | null): void {
    this.room = room;
    this.events.emit('room', room);
  }

  async connect(): Promise<Welcome> {
    if (this.script.refuseConnect) return this.script.refuseConnect;
    const peerId = `peer-${this.n}`;
    const token = this.script.tokens.shift() ?? 'no-token';
    this.peerId = peerId;
    this.token = token;
    this.status = { kind: 'identified', peerId, resumed: this.options.token !== undefined };
    if (this.script.resumedIn) this.setRoom(this.script.resumedIn(peerId));
    return { ok: true, value: { type: 'welcome', peerId, token, iceServers: [], resumed: false, protocol: 1 } };
  }

  private enterRoom(request: string): Promise<LobbyResult<Room>> {
    this.requests.push(request);
    if (this.script.refuseJoin) return Promise.resolve(this.script.refuseJoin);
    const room = makeRoom(this.peerId ?? '', this.script.host ?? 'other');
    this.setRoom(room);
    return Promise.resolve({ ok: true, value: room });
  }

  /** The room a request answers with. */
  private current(): Room {
    return this.room ?? makeRoom(this.peerId ?? '', 'other');
  }

  private request<T>(what: string, value: T): Promise<LobbyResult<T>> {
    this.requests.push(what);
    return Promise.resolve({ ok: true, value });
  }

  createRoom(options?: { settings?: Record<string, unknown> }) {
    return this.enterRoom(`create ${JSON.stringify(options?.settings)}`);
  }
  joinRoom(code: string) {
    return this.enterRoom(`join ${code}`);
  }
  quickplay() {
    return this.enterRoom('quickplay');
  }
  listRooms() {
    return this.request('list', { rooms: [], next: null });
  }
  leaveRoom() {
    return this.request('leave', null);
  }
  setReady(ready: boolean) {
    return this.request(`ready ${ready}`, this.current());
  }
  setSettings(settings: Record<string, unknown>) {
    return this.request(`settings ${JSON.stringify(settings)}`, this.current());
  }
  start() {
    return this.request('start', this.current());
  }
  end() {
    return this.request('end', this.current());
  }
  kick(peerId: string) {
    return this.request(`kick ${peerId}`, this.current());
  }
  chat(text: string) {
    return this.request(`chat ${text}`, null);
  }
  ping() {
    return this.request('ping', 1);
  }
  signal(): void {}
  close(): void {
    this.closed = true;
  }
}

/** A Storage stand-in. */
function store(): KeyValueStore & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

function setup(
  script: Script,
  options: {
    storage?: { local: KeyValueStore; session: KeyValueStore };
    autoReady?: boolean;
    netChat?: boolean;
    /** What the fake net's chat answers a send with. Default: sent to everyone. */
    netChatSent?: ChatSent;
  } = {},
) {
  const storage = options.storage ?? { local: store(), session: store() };
  const clients: FakeLobby[] = [];
  const nets: { closed: boolean; chat: FakeNetChat }[] = [];
  const heard: string[] = [];
  const sentResults: ChatSent[] = [];
  const notices: [string, string | undefined][] = [];
  /** The last notice's button (Retry now), if it had one. */
  let action: { label: string; run(): void } | undefined;
  /** Timers the flow set and the test fires by hand, in order. */
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const busy: boolean[] = [];
  const changes: RoomChange[] = [];
  const connected: string[] = [];
  const flow = createLobbyFlow<{ closed: boolean; chat: FakeNetChat; close(): void }>({
    lobbyUrl: LOBBY,
    remembered: createRemembered(storage, LOBBY),
    newRoomSettings: { roundS: 10 },
    autoReady: options.autoReady ?? false,
    createClient: (o) => {
      const client = new FakeLobby(o, script, clients.length + 1);
      clients.push(client);
      return client;
    },
    createNet: () => {
      const net = {
        chat: fakeNetChat(options.netChatSent),
        closed: false,
        close() {
          net.closed = true;
        },
      };
      nets.push(net);
      return net;
    },
    menu: {
      setBusy: (b) => void busy.push(b),
      setNotice: (text, kind, a) => {
        notices.push([text, kind]);
        action = a;
      },
    },
    timers: {
      setTimeout: (fn, ms) => {
        const timer = { fn, ms, cleared: false };
        timers.push(timer);
        return timer;
      },
      clearTimeout: (timer) => {
        if (timer) (timer as { cleared: boolean }).cleared = true;
      },
    },
    roomChanged: (change) => void changes.push(change),
    chat: (m) => void heard.push(`${m.name}: ${m.text}`),
    ...(options.netChat ? { netChat: (net: { chat: FakeNetChat }) => net.chat } : {}),
    chatSent: (sent) => void sentResults.push(sent),
    connected: (client) => void connected.push(client.peerId ?? '?'),
  });
  /** Fires the next live timer, as if its time had passed; false when none is left. */
  const fireNext = (): boolean => {
    const next = timers.find((t) => !t.cleared);
    if (!next) return false;
    next.cleared = true;
    next.fn();
    return true;
  };
  return {
    flow,
    storage,
    clients,
    nets,
    heard,
    sentResults,
    notices,
    busy,
    changes,
    connected,
    action: () => action,
    timers,
    fireNext,
  };
}

type FakeNetChat = ReturnType<typeof fakeNetChat>;

/** A net's chat: what was sent, and a way to deliver a message. */
function fakeNetChat(answer: ChatSent = { ok: true, unreached: [] }) {
  const listeners: ((m: ChatMessage) => void)[] = [];
  return {
    sent: [] as string[],
    send(text: string): Promise<ChatSent> {
      this.sent.push(text);
      return Promise.resolve(answer);
    },
    on(_type: 'message', listener: (m: ChatMessage) => void) {
      listeners.push(listener);
      return () => {};
    },
    deliver: (m: ChatMessage) => {
      for (const l of listeners) l(m);
    },
  };
}

const quickplay: RoomRequest = { kind: 'quickplay' };

describe('createLobbyFlow', () => {
  it('connects, remembers the name and this lobby’s token, enters the room and says nothing more', async () => {
    const t = setup({ tokens: ['t1'] });
    await t.flow.enter('Ann', { kind: 'join', code: 'AAAAAA' });
    const [client] = t.clients;
    expect(client?.options).toEqual({ url: LOBBY, name: 'Ann', connectTimeoutMs: 3000 });
    expect(client?.requests).toEqual(['join AAAAAA']);
    expect(t.storage.local.getItem('tickmesh.arena.name')).toBe('Ann');
    expect(t.storage.session.getItem(`tickmesh.arena.token ${LOBBY}`)).toBe('t1');
    expect(t.busy).toEqual([true, false]);
    expect(t.notices).toEqual([
      ['Connecting…', undefined],
      ['', undefined],
    ]);
    expect(t.connected).toEqual(['peer-1']);
    expect(t.flow.room()?.code).toBe('AAAAAA');
    expect(t.flow.selfId()).toBe('peer-1');
  });

  it('resumes with the remembered token, keeps the newest one, and stays in a room it is already in', async () => {
    const session = store();
    session.setItem(`tickmesh.arena.token ${LOBBY}`, 'old');
    session.setItem('tickmesh.arena.token ws://elsewhere/lobby', 'not-ours');
    const t = setup(
      { tokens: ['t2'], resumedIn: (id) => makeRoom(id, 'self') },
      { storage: { local: store(), session } },
    );
    await t.flow.enter('Ann', quickplay);
    const [client] = t.clients;
    expect(client?.options).toEqual({ url: LOBBY, name: 'Ann', token: 'old', connectTimeoutMs: 3000 });
    expect(client?.requests).toEqual([]);
    expect(session.getItem(`tickmesh.arena.token ${LOBBY}`)).toBe('t2');
    // A later resume hands out another token.
    if (client) {
      client.token = 't3';
      client.events.emit('status', { kind: 'identified', peerId: 'peer-1', resumed: true });
    }
    expect(session.getItem(`tickmesh.arena.token ${LOBBY}`)).toBe('t3');
  });

  it('asks with the request: create with the new room settings, quick play', async () => {
    const t = setup({ tokens: ['a', 'b'] });
    await t.flow.enter('Ann', { kind: 'create' });
    await t.flow.enter('Bo', quickplay);
    expect(t.clients.map((c) => c.requests)).toEqual([['create {"roundS":10}'], ['quickplay']]);
  });

  it('says a refusal in the player’s words, or the server’s when it has none', async () => {
    const full = setup({ tokens: ['t'], refuseJoin: { ok: false, code: 'ROOM_FULL', message: 'full' } });
    await full.flow.enter('Ann', { kind: 'join', code: 'ZZZZZZ' });
    expect(full.notices.at(-1)).toEqual(['That room is full.', 'error']);

    expect(failureText('ROOM_NOT_FOUND', 'x')).toBe('No room with that code. Check it with your friend.');
    expect(failureText('ALREADY_IN_ROOM', 'the server says so')).toBe('the server says so');
  });

  it('tells the player when the host removed them or the room moved on', async () => {
    const t = setup({ tokens: ['t'] });
    await t.flow.enter('Ann', quickplay);
    const [client] = t.clients;
    client?.events.emit('left', { code: 'AAAAAA', reason: 'kicked' });
    client?.events.emit('left', { code: 'AAAAAA', reason: 'left' });
    client?.events.emit('left', { code: 'AAAAAA', reason: 'expired' });
    expect(t.notices.slice(2)).toEqual([
      ['You were removed from the room by the host.', 'error'],
      ['Your connection dropped for too long; the room moved on.', 'error'],
    ]);
  });

  it('ready=1: a guest marks ready once per room stay, a host never', async () => {
    const guest = setup({ tokens: ['t'] }, { autoReady: true });
    await guest.flow.enter('Ann', quickplay);
    const [client] = guest.clients;
    client?.setRoom(client.room);
    expect(client?.requests).toEqual(['quickplay', 'ready true']);
    client?.setRoom(null);
    await guest.flow.enter('Ann', quickplay);
    expect(client?.requests).toEqual(['quickplay', 'ready true', 'quickplay', 'ready true']);

    const host = setup({ tokens: ['t'], host: 'self' }, { autoReady: true });
    await host.flow.enter('Ann', quickplay);
    expect(host.clients[0]?.requests).toEqual(['quickplay']);
  });

  it('stay ready: a guest who was ready is ready again when the room comes back from a round', async () => {
    const t = setup({ tokens: ['t'] });
    await t.flow.enter('Ann', quickplay);
    const [client] = t.clients;
    if (!client?.room) throw new Error('no room');
    const open = client.room;
    const withReady = (room: Room, ready: boolean, state: Room['state']): Room => ({
      ...room,
      state,
      peers: room.peers.map((p) => (p.id === client.peerId ? { ...p, ready } : p)),
    });
    t.flow.ready(true);
    client.setRoom(withReady(open, true, 'playing'));
    // The round ends: the lobby clears every flag.
    client.setRoom(withReady(open, false, 'open'));
    expect(client.requests).toEqual(['quickplay', 'ready true', 'ready true']);
    // Still ready (a change in the room, not a round): nothing sent.
    client.setRoom(withReady(open, true, 'open'));
    expect(client.requests).toHaveLength(3);

    // Stay ready off: the next round starts unready.
    expect(t.flow.stayReady()).toBe(true);
    t.flow.setStayReady(false);
    client.setRoom(withReady(open, true, 'playing'));
    client.setRoom(withReady(open, false, 'open'));
    expect(client.requests).toHaveLength(3);

    // A player who turned Ready off is not made ready.
    t.flow.setStayReady(true);
    t.flow.ready(false);
    client.setRoom(withReady(open, false, 'playing'));
    client.setRoom(withReady(open, false, 'open'));
    expect(client.requests).toEqual(['quickplay', 'ready true', 'ready true', 'ready false']);
  });

  it('stay ready: never for the host', async () => {
    const t = setup({ tokens: ['t'], host: 'self' });
    await t.flow.enter('Ann', quickplay);
    const [client] = t.clients;
    if (!client?.room) throw new Error('no room');
    t.flow.ready(true);
    client.setRoom({ ...client.room, state: 'playing' });
    client.setRoom({ ...client.room, state: 'open' });
    expect(client.requests).toEqual(['quickplay', 'ready true']);
  });

  it('passes every room change on with the room before it', async () => {
    const t = setup({ tokens: ['t'] });
    await t.flow.enter('Ann', quickplay);
    const [client] = t.clients;
    const first = client?.room ?? null;
    client?.setRoom(null);
    expect(t.changes).toEqual([
      { before: null, room: first },
      { before: first, room: null },
    ]);
  });

  it('keeps the client under the same name, and replaces client and net under another', async () => {
    const t = setup({ tokens: ['a', 'b'] });
    await t.flow.enter('Ann', quickplay);
    t.clients[0]?.setRoom(null);
    await t.flow.enter('Ann', quickplay);
    expect(t.clients).toHaveLength(1);
    await t.flow.enter('Bo', quickplay);
    expect(t.clients).toHaveLength(2);
    expect(t.clients[0]?.closed).toBe(true);
    expect(t.nets.map((n) => n.closed)).toEqual([true, false]);
    expect(t.flow.net()).toBe(t.nets[1]);
    expect(t.flow.selfId()).toBe('peer-2');
  });

  it('sends the room actions to the current client, settings merged with the room’s', async () => {
    const t = setup({ tokens: ['t'], host: 'self' });
    await t.flow.enter('Ann', quickplay);
    t.flow.settings({ map: 1 });
    t.flow.ready(false);
    t.flow.start();
    t.flow.chat('hi');
    t.flow.end();
    t.flow.kick('other');
    t.flow.leave();
    expect(t.clients[0]?.requests).toEqual([
      'quickplay',
      'settings {"roundS":120,"map":1}',
      'ready false',
      'start',
      'chat hi',
      'end',
      'kick other',
      'leave',
    ]);
  });
});

describe('chat through the net', () => {
  it("sends and hears chat through the net's chat once there is a net, never the lobby's twice", async () => {
    const t = setup({ tokens: ['t'], host: 'self' }, { netChat: true });
    await t.flow.enter('Ann', quickplay);
    t.flow.chat('hi');
    expect(t.nets[0]?.chat.sent).toEqual(['hi']);
    expect(t.clients[0]?.requests).toEqual(['quickplay']);
    // The lobby's copy reaches the game through the net's chat (which drops twins), not from the client too.
    t.clients[0]?.events.emit('chat', { type: 'room.chat', from: 'bob', name: 'Bob', text: 'yo', at: 1 });
    t.nets[0]?.chat.deliver({ from: 'bob', name: 'Bob', text: 'yo', at: 1, via: 'lobby' });
    expect(t.heard).toEqual(['Bob: yo']);
  });

  it('hands how a send ended to chatSent: the net chat’s refusal, and the lobby’s before a net', async () => {
    const refused: ChatSent = { ok: false, code: 'RATE_LIMITED', message: 'sending chat too fast' };
    const t = setup({ tokens: ['t'], host: 'self' }, { netChat: true, netChatSent: refused });
    await t.flow.enter('Ann', quickplay);
    t.flow.chat('hi');
    await vi.waitFor(() => expect(t.sentResults).toEqual([refused]));

    const lobbyOnly = setup({ tokens: ['t'], host: 'self' });
    await lobbyOnly.flow.enter('Ann', quickplay);
    lobbyOnly.flow.chat('hi');
    await vi.waitFor(() => expect(lobbyOnly.sentResults).toEqual([{ ok: true, unreached: [] }]));
  });
});

describe('lobbyUrls', () => {
  it("takes one URL as it is, and a cluster's nodes separated by commas as a list", () => {
    expect(lobbyUrls('ws://a/lobby')).toBe('ws://a/lobby');
    expect(lobbyUrls('ws://a/lobby, ws://b/lobby,')).toEqual(['ws://a/lobby', 'ws://b/lobby']);
  });
});

describe('the lobby flow, when the lobby is out of reach', () => {
  it('says an unreachable lobby at once, buttons usable, and counts down to a retry', async () => {
    const script: Script = { tokens: ['t'], refuseConnect: { ok: false, code: 'DISCONNECTED', message: 'no socket' } };
    const t = setup(script);
    await t.flow.enter('Ann', quickplay);
    expect(t.notices.at(-1)).toEqual([unreachableText(5), 'error']);
    expect(t.action()?.label).toBe('Retry now');
    expect(t.busy).toEqual([true, false]);
    expect(t.connected).toEqual([]);
    // A second a step, down to the retry, which asks again with a new client.
    for (const s of [4, 3, 2, 1]) {
      t.fireNext();
      expect(t.notices.at(-1)).toEqual([unreachableText(s), 'error']);
    }
    expect(t.timers.filter((x) => !x.cleared).map((x) => x.ms)).toEqual([1000]);
    t.fireNext();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.clients).toHaveLength(2);
    expect(t.clients[0]?.closed).toBe(true);
    expect(t.notices.at(-1)).toEqual([unreachableText(5), 'error']);

    // Retry now, with the lobby back: in, and the countdown gone.
    delete script.refuseConnect;
    t.action()?.run();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.clients).toHaveLength(3);
    expect(t.clients[2]?.requests).toEqual(['quickplay']);
    expect(t.notices.at(-1)).toEqual(['', undefined]);
    expect(t.timers.every((x) => x.cleared)).toBe(true);
    expect(t.connected).toEqual(['peer-3']);
  });

  it('goes on as soon as the lobby client gets through while counting down', async () => {
    const script: Script = { tokens: ['t'], refuseConnect: { ok: false, code: 'TIMEOUT', message: 'slow' } };
    const t = setup(script);
    await t.flow.enter('Ann', { kind: 'join', code: 'BBBBBB' });
    expect(t.notices.at(-1)).toEqual([unreachableText(5), 'error']);
    const [client] = t.clients as [FakeLobby];
    // The client kept trying and was welcomed.
    delete script.refuseConnect;
    await client.connect();
    client.events.emit('status', { kind: 'identified', peerId: 'peer-1', resumed: false });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.clients).toHaveLength(1);
    expect(client.requests).toEqual(['join BBBBBB']);
    expect(t.connected).toEqual(['peer-1']);
    expect(t.timers.every((x) => x.cleared)).toBe(true);
  });

  it('does not retry a refusal', async () => {
    const t = setup({ tokens: [], refuseConnect: { ok: false, code: 'INVALID_NAME', message: 'bad' } });
    await t.flow.enter('\u0007', quickplay);
    expect(t.notices.at(-1)?.[0]).toMatch(/name is not allowed/);
    expect(t.action()).toBeUndefined();
    expect(t.timers).toEqual([]);
  });
});
