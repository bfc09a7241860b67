/**
 * The in-game chat's view (app/game-chat.ts): recent lines over the game, bottom left, drawn as
 * the room's chat draws them, and the one-line field under them while it is open. Closed, it
 * takes no clicks (they go to the game); open, its lines scroll and their buttons work, and focus
 * leaving it (a click on the game) closes it with the draft kept.
 */
import type { FieldKey, ShownLine } from '../app/game-chat.js';
import { chatLineEl } from './chat-panel.js';
import { fill, h } from './dom.js';

export interface GameChatViewActions {
  /** What a key in the field does (by `KeyboardEvent.key`). */
  fieldKey(key: string): FieldKey;
  send(text: string): void;
  /** Escape, or focus gone elsewhere. */
  cancel(): void;
  muteChat(peerId: string): void;
}

export interface GameChatView {
  readonly el: HTMLElement;
  isOpen(): boolean;
  /** Shows the field and puts the keyboard in it. */
  open(): void;
  close(): void;
  /** Draws `shown` (rebuilt only when its lines change; their opacity every time). */
  render(shown: readonly ShownLine[]): void;
}

/**
 * @example
 * const view = createGameChatView({ fieldKey, send: (t) => lobby.chat(t), cancel, muteChat });
 * view.open();
 * view.render(gameChatLines(chat.lines(), Date.now(), true));
 */
export function createGameChatView(actions: GameChatViewActions): GameChatView {
  const log = h('div.game-chat-log', { testid: 'game-chat-log', 'aria-live': 'polite' });
  const input = h('input', {
    maxLength: 280,
    placeholder: 'Say something… (Enter sends, Esc cancels)',
    enterKeyHint: 'send',
    'aria-label': 'Chat message',
    testid: 'game-chat-input',
  });
  const entry = h('div.game-chat-entry', {}, h('span.label', {}, 'Say'), input);
  const el = h('div.game-chat', { testid: 'game-chat' }, log, entry);
  // The log takes focus when clicked (to scroll it) so that does not count as leaving the chat.
  log.tabIndex = -1;
  let open = false;
  let drawn: readonly ShownLine[] = [];

  el.addEventListener('keydown', (e) => {
    if (!open) return;
    const key = actions.fieldKey(e.key);
    if (key === 'type') return;
    // The game's keys (input.ts listens on the window) never see these.
    e.preventDefault();
    e.stopPropagation();
    if (key === 'send') {
      const text = input.value;
      input.value = '';
      actions.send(text);
    } else if (key === 'cancel') {
      input.value = '';
      actions.cancel();
    } else input.focus();
  });
  el.addEventListener('focusout', (e) => {
    if (open && !(e.relatedTarget instanceof Node && el.contains(e.relatedTarget))) actions.cancel();
  });

  const sameLines = (shown: readonly ShownLine[]) =>
    shown.length === drawn.length && shown.every((s, i) => s.line === drawn[i]?.line);

  return {
    el,
    isOpen: () => open,
    open() {
      open = true;
      el.classList.add('open');
      input.focus();
    },
    close() {
      // First: hiding the focused field fires a focusout that must find the chat closed.
      open = false;
      el.classList.remove('open');
    },
    render(shown) {
      if (!sameLines(shown)) {
        const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
        fill(log, ...shown.map((s) => chatLineEl(s.line, { muteChat: (peerId) => actions.muteChat(peerId) })));
        if (atBottom || !open) log.scrollTop = log.scrollHeight;
      }
      drawn = shown;
      shown.forEach((s, i) => {
        const line = log.children[i];
        if (line instanceof HTMLElement) line.style.opacity = s.opacity === 1 ? '' : s.opacity.toFixed(2);
      });
    },
  };
}
