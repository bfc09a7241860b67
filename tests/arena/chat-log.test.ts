// The arena room's chat: a line on entering a room, for each player who joins or leaves it and
// each change of host (said from this player's side), messages in their sender's colour, and an
// empty log after leaving; a muted player's messages hidden (said once), a flood from one player
// collapsed into one counted line, and a bounded log.
import type { PeerInfo, Room } from '@tickmesh/netcode';
import { describe, expect, it } from 'vitest';
import {
  type ChatEntry,
  chatLimits,
  chatView,
  createChatLog,
  hostChangeText,
  roomChangeLines,
} from '../../examples/arena-game/src/app/chat-log.js';
import { colorOfSeq } from '../../examples/arena-game/src/colors.js';

const peer = (id: string, seq: number): PeerInfo => ({
  id,
  name: id.toUpperCase(),
  ready: false,
  connected: true,
  seq,
});
const ann = peer('ann', 1);
const bob = peer('bob', 2);
const cy = peer('cy', 3);

const room = (peers: PeerInfo[], hostId = 'ann', code = 'AAAAAA'): Room => ({
  code,
  state: 'open',
  hostId,
  public: false,
  maxPlayers: 8,
  settings: {},
  peers,
});

describe('room change lines', () => {
  it('one line on entering a room (also another room)', () => {
    expect(roomChangeLines({ before: null, room: room([ann]) }, 'ann')).toEqual(['You joined room AAAAAA.']);
    const other = room([ann], 'ann', 'BBBBBB');
    expect(roomChangeLines({ before: room([ann, bob]), room: other }, 'ann')).toEqual(['You joined room BBBBBB.']);
    expect(roomChangeLines({ before: room([ann]), room: null }, 'ann')).toEqual([]);
  });

  it('who joined and who left, in the same room', () => {
    const lines = roomChangeLines({ before: room([ann, bob]), room: room([ann, cy]) }, 'ann');
    expect(lines).toEqual(['CY joined.', 'BOB left.']);
    expect(roomChangeLines({ before: room([ann, bob]), room: room([ann, bob]) }, 'ann')).toEqual([]);
  });

  it('a change of host, from this player’s side', () => {
    const change = { before: room([ann, bob, cy]), room: room([bob, cy], 'bob') };
    expect(hostChangeText(change, 'bob')).toBe('ANN left. You are now the host.');
    expect(hostChangeText(change, 'cy')).toBe('ANN left. BOB is now the host.');
    expect(roomChangeLines(change, 'cy')).toEqual(['ANN left.', 'ANN left. BOB is now the host.']);
    expect(hostChangeText({ before: room([ann]), room: room([ann]) }, 'ann')).toBeNull();
    expect(hostChangeText({ before: null, room: room([ann]) }, 'ann')).toBeNull();
    const otherRoom = { before: room([ann, bob]), room: room([bob], 'bob', 'BBBBBB') };
    expect(hostChangeText(otherRoom, 'bob')).toBeNull();
  });
});

describe('createChatLog', () => {
  it('keeps room lines and messages in their sender’s colour, and empties on leaving', () => {
    let nowMs = 5;
    const chat = createChatLog({ selfId: () => 'ann', now: () => nowMs });
    const first = room([ann, bob]);
    chat.roomChanged({ before: null, room: first });
    nowMs = 7;
    chat.message({ from: 'bob', name: 'BOB', text: 'hi', at: 1000 }, first);
    chat.message({ from: 'gone', name: 'DEE', text: 'bye', at: 2000 }, first);
    // `seenMs`: when this page added the line, on its own clock (not the sender's `at`).
    expect(chat.lines()).toEqual([
      { kind: 'system', text: 'You joined room AAAAAA.', seenMs: 5 },
      { kind: 'message', from: 'bob', name: 'BOB', text: 'hi', color: colorOfSeq(2), seenMs: 7 },
      { kind: 'message', from: 'gone', name: 'DEE', text: 'bye', color: 0xcccccc, seenMs: 7 },
    ]);
    // The same array until something changes (the panel redraws only then).
    expect(chat.lines()).toBe(chat.lines());
    chat.roomChanged({ before: first, room: null });
    expect(chat.lines()).toEqual([]);
  });

  it('hides a muted player’s messages, says so once, and shows them again on unmute', () => {
    const chat = createChatLog({ selfId: () => 'ann', now: () => 0 });
    const r = room([ann, bob, cy]);
    chat.message({ from: 'bob', name: 'BOB', text: 'spam', at: 1 }, r);
    chat.toggleMute('bob', 'BOB');
    chat.message({ from: 'bob', name: 'BOB', text: 'more spam', at: 2 }, r);
    chat.message({ from: 'cy', name: 'CY', text: 'hello', at: 3 }, r);
    const texts = chat.lines().map((l) => (l.kind === 'flood' ? `flood ${l.hidden}` : l.text));
    expect(texts).toEqual(['You muted BOB’s chat: their messages are hidden.', 'hello']);
    expect(chat.muted.has('bob')).toBe(true);
    chat.toggleMute('bob', 'BOB');
    expect(chat.lines().map((l) => (l.kind === 'flood' ? '' : l.text))).toEqual([
      'spam',
      'You muted BOB’s chat: their messages are hidden.',
      'more spam',
      'hello',
      'BOB’s chat is shown again.',
    ]);
    // Leaving the room forgets the mutes with the lines.
    chat.toggleMute('bob', 'BOB');
    chat.roomChanged({ before: r, room: null });
    expect(chat.muted.size).toBe(0);
  });

  it('keeps a bounded number of entries, the newest', () => {
    const limits = { ...chatLimits, maxEntries: 10, floodLines: 1000 };
    const chat = createChatLog({ selfId: () => 'ann', now: () => 0, limits });
    const r = room([ann, bob]);
    for (let i = 0; i < 25; i++) chat.message({ from: 'bob', name: 'BOB', text: `m${i}`, at: i }, r);
    const lines = chat.lines();
    expect(lines).toHaveLength(10);
    expect(lines.at(0)).toMatchObject({ text: 'm15' });
    expect(lines.at(-1)).toMatchObject({ text: 'm24' });
  });
});

describe('chatView: the flood guard', () => {
  const msg = (from: string, atMs: number, text = `${from}@${atMs}`): ChatEntry => ({
    from,
    name: from.toUpperCase(),
    text,
    color: 1,
    atMs,
    seenMs: atMs,
  });

  it('120 messages in 7.7 s from one player: 5 shown, the other 115 in one line, others unaffected', () => {
    const entries: ChatEntry[] = [];
    for (let i = 0; i < 120; i++) {
      entries.push(msg('bob', Math.round((i * 7700) / 120)));
      if (i === 60) entries.push(msg('cy', 4000, 'still here'));
    }
    const view = chatView(entries, new Set(), 'ann');
    expect(view.filter((l) => l.kind === 'message' && l.from === 'bob')).toHaveLength(5);
    const floods = view.filter((l) => l.kind === 'flood');
    // Seen when the last of the flood came in.
    const lastAt = Math.round((119 * 7700) / 120);
    expect(floods).toEqual([{ kind: 'flood', from: 'bob', name: 'BOB', color: 1, hidden: 115, seenMs: lastAt }]);
    expect(view.at(5)).toBe(floods[0]);
    expect(view.some((l) => l.kind === 'message' && l.text === 'still here')).toBe(true);
  });

  it('a player back under the rate after the window is shown again, and a new flood gets its own line', () => {
    const entries = [0, 1, 2, 3, 4, 5, 6, 20_000, 20_001, 20_002, 20_003, 20_004, 20_005].map((at) => msg('bob', at));
    const view = chatView(entries, new Set(), 'ann');
    expect(view.map((l) => (l.kind === 'flood' ? `+${l.hidden}` : l.kind === 'message' ? 'm' : 's'))).toEqual([
      'm',
      'm',
      'm',
      'm',
      'm',
      '+2',
      'm',
      'm',
      'm',
      'm',
      'm',
      '+1',
    ]);
  });

  it('never collapses this player’s own messages, and a muted flood shows nothing at all', () => {
    const own = Array.from({ length: 20 }, (_, i) => msg('ann', i));
    expect(chatView(own, new Set(), 'ann').every((l) => l.kind === 'message')).toBe(true);
    const flood = Array.from({ length: 20 }, (_, i) => msg('bob', i));
    expect(chatView(flood, new Set(['bob']), 'ann')).toEqual([]);
  });
});
