/**
 * Keyboard and mouse: the held movement keys, fire (mouse button or Space), the aim the scene
 * computes from the mouse, and one-shot keys (Tab, V, F3, Escape, and Enter or T for the chat)
 * reported to the app. Keys typed into a text field (chat, room code) are ignored, but Escape; a
 * slider or a box (the netgraph's) takes none of them. While the player types in the game's chat
 * the controls are neutral (`setTyping`): they stop rather than run on with a key held before.
 * Touch sticks, where given, add to them: either moves, either fires, and the aim stick's aim
 * wins over the mouse's once it has given one.
 */
import type { ArenaInput } from './simulation.js';
import type { TouchControls } from './ui/touch-controls.js';

export interface InputHandlers {
  scoreboard(held: boolean): void;
  pushToTalk(held: boolean): void;
  netgraph(): void;
  /** Escape: the in-match menu. */
  menu(): void;
  /** Enter or T while the gameplay keys are taken: the in-game chat. */
  chat(): void;
}

export interface GameInput {
  /** The controls now (what the session samples each tick). */
  sample(): ArenaInput;
  setAim(aim: number): void;
  /** Whether gameplay keys are taken (in a match); Tab and F3 are always handled. */
  setActive(active: boolean): void;
  /** The player is typing in the game's chat: the controls are neutral until it ends (`active` kept). */
  setTyping(typing: boolean): void;
}

/** What a key pressed outside a text field needs to open the in-game chat. */
export interface ChatKey {
  code: string;
  repeat: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/**
 * Whether a key opens the in-game chat: Enter or T, pressed (not repeated) without Ctrl, Alt or
 * Meta, while the gameplay keys are taken (`active`: in a match, the menu closed, not typing).
 * @example
 * opensChat({ code: 'KeyT', repeat: false, ctrlKey: false, altKey: false, metaKey: false }, true); // true
 */
export function opensChat(key: ChatKey, active: boolean): boolean {
  if (!active || key.repeat || key.ctrlKey || key.altKey || key.metaKey) return false;
  return key.code === 'Enter' || key.code === 'NumpadEnter' || key.code === 'KeyT';
}

const MOVE: Record<string, [number, number]> = {
  KeyW: [0, -1],
  ArrowUp: [0, -1],
  KeyS: [0, 1],
  ArrowDown: [0, 1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};

/** Inputs that take no typed text: keys on them are the game's. */
const NOT_TEXT = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color']);

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  ((target instanceof HTMLInputElement && !NOT_TEXT.has(target.type)) ||
    target.tagName === 'TEXTAREA' ||
    target.isContentEditable);

export function createGameInput(
  root: Window,
  canvasHost: HTMLElement,
  handlers: InputHandlers,
  touch?: Pick<TouchControls, 'state' | 'setActive'>,
): GameInput {
  const held = new Set<string>();
  let mouseDown = false;
  let aim = 0;
  let active = false;
  let typingChat = false;
  /** Gameplay controls count: in a match and not typing in its chat. */
  const playing = () => active && !typingChat;

  root.addEventListener('keydown', (e) => {
    if (e.code === 'F3') {
      e.preventDefault();
      handlers.netgraph();
      return;
    }
    if (e.code === 'Escape') {
      if (!e.repeat) handlers.menu();
      return;
    }
    if (typing(e.target)) return;
    if (opensChat(e, playing())) {
      // Not typed into the field it opens.
      e.preventDefault();
      handlers.chat();
      return;
    }
    if (e.code === 'Tab') {
      e.preventDefault();
      if (!e.repeat) handlers.scoreboard(true);
      return;
    }
    if (e.code === 'KeyV' && !e.repeat) handlers.pushToTalk(true);
    if (active && (e.code in MOVE || e.code === 'Space')) e.preventDefault();
    held.add(e.code);
  });
  root.addEventListener('keyup', (e) => {
    if (e.code === 'Tab') handlers.scoreboard(false);
    if (e.code === 'KeyV') handlers.pushToTalk(false);
    held.delete(e.code);
  });
  root.addEventListener('blur', () => {
    held.clear();
    mouseDown = false;
    handlers.scoreboard(false);
  });
  canvasHost.addEventListener('mousedown', (e) => {
    if (e.button === 0) mouseDown = true;
  });
  root.addEventListener('mouseup', (e) => {
    if (e.button === 0) mouseDown = false;
  });

  const axis = (i: 0 | 1): -1 | 0 | 1 => {
    let v = 0;
    for (const code of held) v += MOVE[code]?.[i] ?? 0;
    return v > 0 ? 1 : v < 0 ? -1 : 0;
  };

  return {
    sample() {
      const t = touch?.state();
      const aimNow = t?.aim ?? aim;
      if (!playing()) return { mx: 0, my: 0, aim: aimNow, fire: false };
      return {
        mx: axis(0) || (t?.mx ?? 0),
        my: axis(1) || (t?.my ?? 0),
        aim: aimNow,
        fire: mouseDown || held.has('Space') || (t?.fire ?? false),
      };
    },
    setAim(next) {
      // Off (a menu open): the player's aim stays where it was.
      if (playing()) aim = next;
    },
    setActive(next) {
      active = next;
      if (!next) mouseDown = false;
      touch?.setActive(playing());
    },
    setTyping(next) {
      typingChat = next;
      if (next) mouseDown = false;
      touch?.setActive(playing());
    },
  };
}
