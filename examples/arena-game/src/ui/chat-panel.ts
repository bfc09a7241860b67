/**
 * The room's chat panel: the lines the chat log shows (messages that wrap, long words too; a
 * player's flood collapsed into one line with a button to mute them) and the input.
 */
import { css, fill, h } from './dom.js';

/**
 * A line of the chat as shown. `seenMs`: when this page added it or last changed it (a count
 * bumped), on the chat log's clock; the in-game chat fades lines by it (app/game-chat.ts).
 */
export type ChatLine =
  /** A line of the room's own; `alert`: the player's own line did not get through. */
  | { kind: 'system'; text: string; alert?: true; seenMs: number }
  | { kind: 'message'; from: string | null; name: string; text: string; color: number; seenMs: number }
  /** `hidden` more messages from one player, collapsed by the flood guard. */
  | { kind: 'flood'; from: string; name: string; color: number; hidden: number; seenMs: number };

export interface ChatPanelActions {
  chat(text: string): void;
  /** Mutes a player's chat. */
  muteChat(peerId: string): void;
}

export interface ChatPanel {
  readonly el: HTMLElement;
  /** Draws `lines` (only when it is another array than last time). */
  render(lines: readonly ChatLine[]): void;
}

const floodText = (l: Extract<ChatLine, { kind: 'flood' }>) =>
  `: ${l.hidden} more message${l.hidden === 1 ? '' : 's'} hidden — `;

/** One line as the chat draws it (the room's panel, and the in-game chat). */
export function chatLineEl(line: ChatLine, actions: Pick<ChatPanelActions, 'muteChat'>): HTMLElement {
  switch (line.kind) {
    case 'system':
      return line.alert ? h('div.sys.unsent', { testid: 'chat-unsent' }, line.text) : h('div.sys', {}, line.text);
    case 'message':
      return h('div', {}, h('b', { style: `color:${css(line.color)}`, title: line.name }, line.name), line.text);
    case 'flood':
      return h(
        'div.sys.flood',
        { dataset: { flood: line.from } },
        h('b', { style: `color:${css(line.color)}`, title: line.name }, line.name),
        floodText(line),
        h('button.link', { onclick: () => actions.muteChat(line.from), title: `Mute ${line.name}’s chat` }, 'mute?'),
      );
    default:
      return line satisfies never;
  }
}

/**
 * @example
 * const panel = createChatPanel({ chat: (t) => lobby.chat(t), muteChat: (id) => chat.toggleMute(id, name) });
 * panel.render(chat.lines());
 */
export function createChatPanel(actions: ChatPanelActions): ChatPanel {
  const log = h('div.chat-log', { testid: 'chat-log' });
  const input = h('input', { maxLength: 280, placeholder: 'Say something…', testid: 'chat-input' });
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const text = input.value.trim();
    if (text) actions.chat(text);
    input.value = '';
  });
  let shown: readonly ChatLine[] | null = null;
  return {
    el: h('div.chat.panel', {}, h('div.label', {}, 'Chat'), log, input),
    render(lines) {
      if (lines === shown) return;
      const atBottom = shown === null || log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
      shown = lines;
      fill(log, ...lines.map((l) => chatLineEl(l, actions)));
      if (atBottom) log.scrollTop = log.scrollHeight;
    },
  };
}
