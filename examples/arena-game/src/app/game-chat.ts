/**
 * The in-game chat, as arena shooters have it: during a round Enter or T (input.ts) opens a
 * one-line field over the game, bottom left; Enter sends, Escape cancels, and while the player
 * types the game's controls are neutral (they stop rather than run on). The room's recent lines
 * (the same chat log as the room lobby's: names, the room's own lines, lines not sent; muted
 * players left out) show over the game and fade after `showMs`; all of them show again while the
 * field is open. Lines go out the way the room's do (`send`: the mesh chat), so there is one chat.
 */
import type { GameInput } from '../input.js';
import type { ChatLine } from '../ui/chat-panel.js';
import { createGameChatView } from '../ui/game-chat.js';

/** The in-game chat's timing and size. */
export const gameChatDefaults = {
  /** How long a line shows over the game at full strength, ms. Default 8000. */
  showMs: 8_000,
  /** How long it then takes to fade out, ms. Default 1000. */
  fadeMs: 1_000,
  /** Most lines shown over the game while the field is closed, the newest. Default 6. */
  maxLines: 6,
};

export type GameChatTuning = typeof gameChatDefaults;

/** A line over the game, and how strongly it shows (1: fully, down to 0 as it fades). */
export interface ShownLine {
  line: ChatLine;
  opacity: number;
}

/**
 * The lines to show over the game at `nowMs` (the chat log's clock): with the field open, every
 * line; closed, the newest `maxLines` of those seen less than `showMs + fadeMs` ago, fading over
 * the last `fadeMs`.
 * @example
 * gameChatLines(chat.lines(), Date.now(), false); // what shows over the game now
 */
export function gameChatLines(
  lines: readonly ChatLine[],
  nowMs: number,
  open: boolean,
  tuning: GameChatTuning = gameChatDefaults,
): ShownLine[] {
  if (open) return lines.map((line) => ({ line, opacity: 1 }));
  const shown: ShownLine[] = [];
  for (const line of lines.slice(-tuning.maxLines)) {
    const ageMs = nowMs - line.seenMs;
    if (ageMs >= tuning.showMs + tuning.fadeMs) continue;
    const opacity = ageMs <= tuning.showMs ? 1 : 1 - (ageMs - tuning.showMs) / tuning.fadeMs;
    shown.push({ line, opacity });
  }
  return shown;
}

/** What a key in the open field does: send the line, cancel, keep focus in the field, or type it. */
export type FieldKey = 'send' | 'cancel' | 'keep' | 'type';

/**
 * The keys (`KeyboardEvent.key`, as a phone's keyboard gives them too) the open field takes for
 * itself: Enter sends, Escape cancels (and does not reach the
 * in-match menu), Tab stays in the field (the scoreboard does not open, focus does not wander).
 * @example
 * fieldKey('Escape'); // 'cancel'
 */
export function fieldKey(key: string): FieldKey {
  switch (key) {
    case 'Enter':
      return 'send';
    case 'Escape':
      return 'cancel';
    case 'Tab':
      return 'keep';
    default:
      return 'type';
  }
}

export interface GameChatDeps {
  input: Pick<GameInput, 'setTyping'>;
  /** The room's chat as shown (the chat log's `lines`). */
  lines(): readonly ChatLine[];
  /** Sends a line to the room (the same path as the room lobby's chat). */
  send(text: string): void;
  /** Mutes a player's chat (a flood line's "mute?"). */
  muteChat(peerId: string): void;
  /** The chat log's clock, ms. */
  now(): number;
  /** Gives the keyboard back to the game: takes focus off any control. */
  focusGame(): void;
  tuning?: GameChatTuning;
}

export interface GameChat {
  /** Goes in the HUD. */
  readonly el: HTMLElement;
  isOpen(): boolean;
  /** Opens the field (Enter, T, or the touch Chat button), on the HUD only. */
  open(): void;
  /** The screens show the HUD or not: off it, the field closes. */
  setOnHud(onHud: boolean): void;
  /** Shows the lines as they are now (the app's clock). */
  render(): void;
}

/**
 * @example
 * const gameChat = createGameChat({ input, lines: () => chat.lines(), send: (t) => lobby.chat(t),
 *   muteChat, now: () => Date.now(), focusGame: () => blurActive() });
 * hud.el.append(gameChat.el);
 */
export function createGameChat(deps: GameChatDeps): GameChat {
  const tuning = deps.tuning ?? gameChatDefaults;
  let onHud = false;
  const render = () => view.render(gameChatLines(deps.lines(), deps.now(), view.isOpen(), tuning));
  function close(): void {
    if (!view.isOpen()) return;
    view.close();
    deps.input.setTyping(false);
    deps.focusGame();
    render();
  }
  const view = createGameChatView({
    fieldKey,
    send(text) {
      const line = text.trim();
      if (line) deps.send(line);
      close();
    },
    cancel: close,
    muteChat: (peerId) => deps.muteChat(peerId),
  });
  return {
    el: view.el,
    isOpen: () => view.isOpen(),
    open() {
      if (!onHud || view.isOpen()) return;
      deps.input.setTyping(true);
      view.open();
      render();
    },
    setOnHud(next) {
      onHud = next;
      if (!onHud) close();
    },
    render,
  };
}
