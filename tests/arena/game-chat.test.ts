// The in-game chat's rules: which of the room's lines show over the game and how strongly (a line
// full for 8 s, then fading over 1 s; the newest few only; every line while the field is open),
// the keys the open field keeps for itself, the keys that open it during a round, and the log's
// clock on the lines (a line not sent shows again when its count goes up).
import { describe, expect, it } from 'vitest';
import { createChatLog } from '../../examples/arena-game/src/app/chat-log.js';
import { fieldKey, gameChatDefaults, gameChatLines } from '../../examples/arena-game/src/app/game-chat.js';
import { type ChatKey, opensChat } from '../../examples/arena-game/src/input.js';
import type { ChatLine } from '../../examples/arena-game/src/ui/chat-panel.js';

const line = (text: string, seenMs: number): ChatLine => ({ kind: 'system', text, seenMs });
const texts = (shown: ReturnType<typeof gameChatLines>) =>
  shown.map((s) => (s.line.kind === 'flood' ? '' : s.line.text));

describe('gameChatLines', () => {
  const { showMs, fadeMs, maxLines } = gameChatDefaults;

  it('shows a line at full strength for showMs, fades it over fadeMs, then drops it', () => {
    const lines = [line('gg', 1_000)];
    expect(gameChatLines(lines, 1_000, false)).toEqual([{ line: lines[0], opacity: 1 }]);
    expect(gameChatLines(lines, 1_000 + showMs, false)[0]?.opacity).toBe(1);
    expect(gameChatLines(lines, 1_000 + showMs + fadeMs / 2, false)[0]?.opacity).toBeCloseTo(0.5);
    expect(gameChatLines(lines, 1_000 + showMs + fadeMs, false)).toEqual([]);
    expect(showMs).toBe(8_000);
  });

  it('shows only the newest lines while closed, and every line, at full strength, while open', () => {
    const lines = Array.from({ length: 20 }, (_, i) => line(`line ${i}`, i < 10 ? 0 : 60_000));
    const nowMs = 60_000 + 100;
    const closed = gameChatLines(lines, nowMs, false);
    expect(texts(closed)).toEqual(Array.from({ length: maxLines }, (_, i) => `line ${20 - maxLines + i}`));
    const open = gameChatLines(lines, nowMs, true);
    expect(open).toHaveLength(20);
    expect(open.every((s) => s.opacity === 1)).toBe(true);
    // Long gone lines show again when the field opens, and go once it closes.
    expect(gameChatLines(lines, 10 * 60_000, true)).toHaveLength(20);
    expect(gameChatLines(lines, 10 * 60_000, false)).toEqual([]);
  });

  it('fades each line by its own time: older ones first', () => {
    const lines = [line('old', 0), line('new', 5_000)];
    const shown = gameChatLines(lines, showMs + fadeMs - 1, false);
    expect(texts(shown)).toEqual(['old', 'new']);
    expect(shown[0]?.opacity).toBeLessThan(0.01);
    expect(shown[1]?.opacity).toBe(1);
    expect(texts(gameChatLines(lines, showMs + fadeMs, false))).toEqual(['new']);
  });
});

describe('the chat log’s clock on lines', () => {
  it('a line not sent shows anew when its count goes up; a message by when it came, not its sender’s clock', () => {
    let nowMs = 1_000;
    const chat = createChatLog({ selfId: () => 'ann', now: () => nowMs });
    const slow = { key: 'refused:RATE_LIMITED', text: (n: number) => `slow ${n}` };
    chat.unsent(slow);
    nowMs = 9_000;
    chat.unsent(slow);
    expect(chat.lines()).toEqual([{ kind: 'system', text: 'slow 2', alert: true, seenMs: 9_000 }]);
    chat.message({ from: 'bob', name: 'BOB', text: 'hi', at: 123 }, null);
    expect(chat.lines().at(-1)?.seenMs).toBe(9_000);
    expect(gameChatLines(chat.lines(), 9_000 + gameChatDefaults.showMs, false)).toHaveLength(2);
  });
});

describe('keys', () => {
  const key = (code: string, more: Partial<ChatKey> = {}): ChatKey => ({
    code,
    repeat: false,
    ctrlKey: false,
    altKey: false,
    metaKey: false,
    ...more,
  });

  it('Enter or T opens the chat during a round, not repeated, not with Ctrl, Alt or Meta, not off the game', () => {
    for (const code of ['Enter', 'NumpadEnter', 'KeyT']) expect(opensChat(key(code), true), code).toBe(true);
    for (const code of ['KeyW', 'Space', 'KeyV', 'Tab', 'Escape', 'KeyY'])
      expect(opensChat(key(code), true), code).toBe(false);
    expect(opensChat(key('Enter'), false), 'menu open, room lobby, or typing already').toBe(false);
    expect(opensChat(key('KeyT', { repeat: true }), true), 'T held down').toBe(false);
    expect(opensChat(key('KeyT', { ctrlKey: true }), true), 'Ctrl+T is the browser’s').toBe(false);
    expect(opensChat(key('Enter', { altKey: true }), true)).toBe(false);
    expect(opensChat(key('KeyT', { metaKey: true }), true)).toBe(false);
  });

  it('the open field sends on Enter, cancels on Escape, keeps Tab, and types the rest (the game’s keys too)', () => {
    expect(fieldKey('Enter')).toBe('send');
    expect(fieldKey('Escape')).toBe('cancel');
    expect(fieldKey('Tab')).toBe('keep');
    for (const k of ['w', 'a', 's', 'd', ' ', 'v', 't', 'W']) expect(fieldKey(k), k).toBe('type');
  });
});
