// What the arena tells a player whose chat line did not get through: a refusal in plain words
// (too fast, bad text, nobody reachable), the members a sent line did not reach by name, and a
// run of the same note (a flood) shown as one line with a count, never a line per message.
import { describe, expect, it } from 'vitest';
import { createChatLog } from '../../examples/arena-game/src/app/chat-log.js';
import { type ChatSent, chatNote } from '../../examples/arena-game/src/app/chat-send.js';
import { arenaRoom } from './fixtures.js';

const room = arenaRoom('open');
const refused = (code: Extract<ChatSent, { ok: false }>['code']): ChatSent => ({ ok: false, code, message: 'x' });

describe('chatNote', () => {
  it('says nothing when every member got the line', () => {
    expect(chatNote({ ok: true, unreached: [] }, room)).toBeNull();
  });

  it('says a refusal in the player’s words, a flood with its count', () => {
    const slow = chatNote(refused('RATE_LIMITED'), room);
    expect(slow?.text(1)).toBe('Slow down — message not sent.');
    expect(slow?.text(4)).toBe('Slow down — 4 messages not sent.');
    expect(chatNote(refused('BAD_TEXT'), room)?.text(1)).toMatch(/^Message not sent: keep it to 280 characters/);
    expect(chatNote(refused('UNREACHABLE'), room)?.text(2)).toBe(
      'Message not sent: nobody in the room can be reached right now. (2 times)',
    );
    // The lobby's own refusals (before a net exists) read the same; an unknown one plainly.
    expect(chatNote(refused('DISCONNECTED'), room)?.text(1)).toBe(chatNote(refused('UNREACHABLE'), room)?.text(1));
    expect(chatNote(refused('NOT_HOST'), room)?.text(1)).toBe('Message not sent.');
  });

  it('names the members a sent line did not reach', () => {
    expect(chatNote({ ok: true, unreached: ['bob'] }, room)?.text(1)).toBe(
      'Bob didn’t get your message: no connection to them right now.',
    );
    expect(chatNote({ ok: true, unreached: ['bob', 'gone'] }, room)?.text(1)).toBe(
      'Bob and A player didn’t get your message: no connection to them right now.',
    );
    expect(chatNote({ ok: true, unreached: ['bob', 'cy', 'dee'] }, null)?.text(1)).toMatch(
      /^A player, A player and A player didn’t get/,
    );
  });
});

describe('the chat log’s notes', () => {
  it('shows a run of the same note as one alert line with a count, a new run after anything else', () => {
    const chat = createChatLog({ selfId: () => 'ann', now: () => 0 });
    chat.roomChanged({ before: null, room });
    const slow = chatNote(refused('RATE_LIMITED'), room);
    if (!slow) throw new Error('no note');
    for (let i = 0; i < 5; i++) chat.unsent(slow);
    chat.message({ from: 'bob', name: 'BOB', text: 'calm down', at: 1 }, room);
    chat.unsent(slow);
    const lines = chat.lines();
    expect(lines.filter((l) => l.kind === 'system' && l.alert)).toEqual([
      { kind: 'system', text: 'Slow down — 5 messages not sent.', alert: true, seenMs: 0 },
      { kind: 'system', text: 'Slow down — message not sent.', alert: true, seenMs: 0 },
    ]);
    expect(lines).toHaveLength(4);
    // Another note breaks the run too.
    const bad = chatNote(refused('BAD_TEXT'), room);
    if (!bad) throw new Error('no note');
    chat.unsent(bad);
    chat.unsent(slow);
    expect(chat.lines()).toHaveLength(6);
  });
});
