// The arena room's chat: a line on entering a room, for each player who joins or leaves it and
// each change of host (said from this player's side), messages in their sender's colour, and an
// empty log after leaving.
import type { PeerInfo, Room } from '@tickmesh/netcode';
import { describe, expect, it } from 'vitest';
import { createChatLog, hostChangeText, roomChangeLines } from '../../examples/arena-game/src/app/chat-log.js';
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
    const chat = createChatLog({ selfId: () => 'ann' });
    const lines = chat.lines;
    const first = room([ann, bob]);
    chat.roomChanged({ before: null, room: first });
    chat.message({ from: 'bob', name: 'BOB', text: 'hi' }, first);
    chat.message({ from: 'gone', name: 'DEE', text: 'bye' }, first);
    expect(chat.lines).toEqual([
      { name: '', text: 'You joined room AAAAAA.', color: null },
      { name: 'BOB', text: 'hi', color: colorOfSeq(2) },
      { name: 'DEE', text: 'bye', color: 0xcccccc },
    ]);
    chat.roomChanged({ before: first, room: null });
    expect(chat.lines).toEqual([]);
    expect(chat.lines).toBe(lines);
  });
});
