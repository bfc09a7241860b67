// Chat's pure parts (chat/): the packet and the lobby's text rules, the sender's route, the
// receiver's twin rule; and createChat over a memory mesh and lobby: the sender is the link, the
// name the room's, floods, oversize text and forged fields are dropped and counted, never thrown,
// and a message that went both ways shows once.
import { type ChatMessage, createChat, type LobbyEvents, type Room } from '@tickmesh/netcode';
import { CHAT_TAG, createTwins, encodeChat, isChatText, parseChat, routeChat } from '@tickmesh/netcode/internals';
import { describe, expect, it } from 'vitest';

describe('chat packet', () => {
  it('round-trips, and refuses what the lobby refuses', () => {
    expect(parseChat(encodeChat('gg', false))).toEqual({ text: 'gg', twin: false });
    expect(parseChat(encodeChat('gg', true))).toEqual({ text: 'gg', twin: true });
    expect(parseChat([CHAT_TAG, 42])).toBe('malformed');
    expect(parseChat([CHAT_TAG, 'hi', 1, 'bob'])).toBe('malformed'); // a forged sender field
    expect(parseChat([CHAT_TAG, 'hi', { from: 'bob' }])).toBe('malformed');
    expect(parseChat([CHAT_TAG, ''])).toBe('text');
    expect(parseChat([CHAT_TAG, 'x'.repeat(281)])).toBe('text');
    expect(parseChat([CHAT_TAG, '😀'.repeat(280)])).toEqual({ text: '😀'.repeat(280), twin: false }); // code points
    expect(parseChat([CHAT_TAG, 'a\u0007b'])).toBe('text');
    expect(parseChat([CHAT_TAG, 'Ann\u202Egnp.exe'])).toBe('text');
    expect(parseChat([CHAT_TAG, '\ud800'])).toBe('text');
    // Not trimmed, as the lobby does not trim chat.
    expect(isChatText('  hi  ')).toBe(true);
  });
});

describe('routeChat', () => {
  const links = new Map([
    ['bob', 'connected' as const],
    ['cy', 'failed' as const],
  ]);
  it('meshes to connected links, and adds the lobby while a member has none', () => {
    expect(routeChat(['bob'], links, true)).toEqual({ mesh: ['bob'], lobby: false, unreached: [] });
    expect(routeChat(['bob', 'cy'], links, true)).toEqual({ mesh: ['bob'], lobby: true, unreached: [] });
    expect(routeChat(['bob', 'cy', 'di'], links, true)).toEqual({ mesh: ['bob'], lobby: true, unreached: [] });
  });
  it('reports whom neither path reaches while the lobby is away', () => {
    expect(routeChat(['bob', 'cy'], links, false)).toEqual({ mesh: ['bob'], lobby: false, unreached: ['cy'] });
    expect(routeChat(['bob'], links, false)).toEqual({ mesh: ['bob'], lobby: false, unreached: [] });
    expect(routeChat([], links, false)).toEqual({ mesh: [], lobby: false, unreached: [] });
  });
});

describe('twins', () => {
  it('drops the second copy whichever path comes first, once per copy', () => {
    const twins = createTwins(10_000, 16);
    expect(twins.arrive('bob', 'gg', 'mesh', 0)).toBe(false);
    expect(twins.arrive('bob', 'gg', 'lobby', 5)).toBe(true);
    expect(twins.arrive('bob', 'gg', 'lobby', 6)).toBe(false); // a new message, not a twin
    expect(twins.arrive('bob', 'gg', 'mesh', 7)).toBe(true);
    // Another sender's copy never matches.
    expect(twins.arrive('cy', 'gg', 'lobby', 8)).toBe(false);
    expect(twins.arrive('bob', 'gg', 'mesh', 9)).toBe(false);
  });
  it('forgets copies after the window, beyond the cap, and of departed senders', () => {
    const twins = createTwins(1000, 2);
    twins.arrive('bob', 'a', 'mesh', 0);
    expect(twins.arrive('bob', 'a', 'lobby', 1000)).toBe(false);
    for (const text of ['x', 'y', 'z']) twins.arrive('cy', text, 'mesh', 2000);
    expect(twins.arrive('cy', 'x', 'lobby', 2001)).toBe(false); // pushed out by y and z
    expect(twins.arrive('cy', 'z', 'lobby', 2002)).toBe(true);
    twins.arrive('di', 'q', 'mesh', 3000);
    twins.retain(['bob']);
    expect(twins.arrive('di', 'q', 'lobby', 3001)).toBe(false);
  });
});

/** A room of Ann (self), Bob and Cy, a mesh whose links the test sets, and a lobby whose chat it drives. */
function harness() {
  const room: Room = {
    code: 'ABCDEF',
    hostId: 'ann',
    state: 'open',
    settings: {},
    maxPlayers: 8,
    public: false,
    peers: ['ann', 'bob', 'cy'].map((id, seq) => ({
      id,
      name: id.toUpperCase(),
      ready: false,
      connected: true,
      seq,
    })),
  } as unknown as Room;
  const meshListeners: ((m: { from: string; payload: unknown; reliable: boolean }) => void)[] = [];
  const lobbyListeners: ((m: LobbyEvents['chat']) => void)[] = [];
  const sent: { to: string; payload: unknown }[] = [];
  const lobbySent: string[] = [];
  let now = 0;
  const links = new Map<string, 'connected' | 'failed'>([
    ['bob', 'connected'],
    ['cy', 'connected'],
  ]);
  const lobby = {
    peerId: 'ann',
    room,
    connection: 'online' as 'online' | 'reconnecting',
    async chat(text: string) {
      lobbySent.push(text);
      return { ok: true as const, value: null };
    },
    on(_type: 'chat', listener: (m: LobbyEvents['chat']) => void) {
      lobbyListeners.push(listener);
      return () => {};
    },
  };
  const chat = createChat({
    lobby,
    mesh: {
      get links() {
        return links;
      },
      send(to: string, payload: unknown) {
        sent.push({ to, payload });
        return 1;
      },
      on: ((_type: 'message', listener: (typeof meshListeners)[number]) => {
        meshListeners.push(listener);
        return () => {};
      }) as never,
    },
    timers: {
      now: () => now,
      setTimeout: () => 0,
      clearTimeout: () => {},
      setInterval: () => 0,
      clearInterval: () => {},
    },
    clock: () => 1_000_000 + now,
  });
  const shown: ChatMessage[] = [];
  chat.on('message', (m) => shown.push(m));
  return {
    chat,
    lobby,
    links,
    sent,
    lobbySent,
    shown,
    advance: (ms: number) => {
      now += ms;
    },
    mesh: (from: string, payload: unknown, reliable = true) => {
      for (const l of meshListeners) l({ from, payload, reliable });
    },
    lobbyChat: (from: string, text: string) => {
      for (const l of lobbyListeners) l({ type: 'room.chat', from, name: from.toUpperCase(), text, at: 5 });
    },
  };
}

describe('createChat', () => {
  it('takes the sender from the link and the name from the room', () => {
    const h = harness();
    h.mesh('bob', [CHAT_TAG, 'hi']);
    expect(h.shown).toEqual([{ from: 'bob', name: 'BOB', text: 'hi', at: 1_000_000, via: 'mesh' }]);
    h.mesh('bob', [CHAT_TAG, 'hi', 1, 'cy']); // claims to be Cy: malformed
    h.mesh('dan', [CHAT_TAG, 'hi']); // not a member
    h.mesh('bob', [CHAT_TAG, 'hi'], false); // unreliable channel
    h.mesh('bob', [CHAT_TAG, 'x'.repeat(300)]);
    h.mesh('bob', [1, 2, 3]); // the sync layer's: not chat's to count
    expect(h.shown).toHaveLength(1);
    expect(h.chat.counters.dropped).toEqual({ malformed: 2, text: 1, rate: 0, stranger: 1 });
  });

  it("drops a peer's flood beyond its bucket, and takes it again as the bucket refills", () => {
    const h = harness();
    for (let i = 0; i < 50; i++) h.mesh('bob', [CHAT_TAG, `spam ${i}`]);
    expect(h.shown).toHaveLength(8); // the burst
    expect(h.chat.counters.dropped.rate).toBe(42);
    h.mesh('cy', [CHAT_TAG, 'still here']); // another peer's bucket is its own
    h.advance(1000);
    h.mesh('bob', [CHAT_TAG, 'again']);
    h.mesh('bob', [CHAT_TAG, 'and again']);
    h.mesh('bob', [CHAT_TAG, 'too soon']);
    expect(h.shown.map((m) => m.text).slice(-3)).toEqual(['still here', 'again', 'and again']);
  });

  it('sends over the mesh only while every member has a link, else through the lobby too', async () => {
    const h = harness();
    const first = await h.chat.send('one');
    expect(first).toMatchObject({ ok: true, unreached: [] });
    expect(h.sent).toEqual([
      { to: 'bob', payload: [CHAT_TAG, 'one'] },
      { to: 'cy', payload: [CHAT_TAG, 'one'] },
    ]);
    expect(h.lobbySent).toEqual([]);
    h.links.set('cy', 'failed');
    h.sent.length = 0;
    await h.chat.send('two');
    expect(h.sent).toEqual([{ to: 'bob', payload: [CHAT_TAG, 'two', 1] }]);
    expect(h.lobbySent).toEqual(['two']);
    // The lobby away: Cy is unreached, Bob still gets it.
    h.lobby.connection = 'reconnecting';
    const third = await h.chat.send('three');
    expect(third).toMatchObject({ ok: true, unreached: ['cy'] });
    expect(h.lobbySent).toEqual(['two']);
    h.links.set('bob', 'failed');
    expect(await h.chat.send('four')).toMatchObject({ ok: false, code: 'UNREACHABLE' });
    // Own messages are shown once each, at send; the lobby's echo of them is not shown again.
    h.lobbyChat('ann', 'two');
    expect(h.shown.map((m) => [m.from, m.text])).toEqual([
      ['ann', 'one'],
      ['ann', 'two'],
      ['ann', 'three'],
    ]);
    expect(await h.chat.send('bad\u0000')).toMatchObject({ ok: false, code: 'BAD_TEXT' });
  });

  it('shows a message that went both ways once, whichever copy comes first', () => {
    const h = harness();
    h.mesh('bob', [CHAT_TAG, 'gg', 1]);
    h.lobbyChat('bob', 'gg');
    h.lobbyChat('cy', 'hi');
    h.mesh('cy', [CHAT_TAG, 'hi', 1]);
    // Unflagged mesh copies and lobby-only messages are never taken for twins.
    h.mesh('bob', [CHAT_TAG, 'gg']);
    h.lobbyChat('bob', 'gg');
    expect(h.shown.map((m) => [m.from, m.text, m.via])).toEqual([
      ['bob', 'gg', 'mesh'],
      ['cy', 'hi', 'lobby'],
      ['bob', 'gg', 'mesh'],
      ['bob', 'gg', 'lobby'],
    ]);
    expect(h.chat.counters.twins).toBe(2);
    expect(h.chat.counters.received).toEqual({ mesh: 2, lobby: 2 });
  });
});
