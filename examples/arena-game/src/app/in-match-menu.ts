/**
 * The in-match menu's part in the app: the view (ui/match-menu.ts) wired to the sound board, the
 * mic and the leave flow, and the rule for the game's keys and cursor: gameplay keys and the
 * hidden cursor only while the HUD is shown with the menu closed. Closing gives the keys back to
 * the game (off the slider or checkbox that had them).
 */
import type { SoundBoard } from '../audio/sound-board.js';
import type { GameInput } from '../input.js';
import { createMatchMenu } from '../ui/match-menu.js';
import type { CameraControls } from './camera-controls.js';
import type { VoiceControls } from './voice-controls.js';

export interface InMatchMenu {
  /** The menu button and panel: goes in the HUD. */
  readonly el: HTMLElement;
  /** The screens show the HUD or not (they ask for gameplay keys only on it). */
  setOnHud(onHud: boolean): void;
  /** The cursor the screens want; shown anyway while the menu is open. */
  setCursor(cursor: string): void;
  /** Escape: opens or closes the menu, on the HUD only. */
  escape(): void;
  /** Shows the sound settings and the mic now. */
  render(): void;
}

export interface InMatchMenuDeps {
  input: Pick<GameInput, 'setActive'>;
  sound: Pick<SoundBoard, 'settings' | 'setVolume' | 'setMuted'>;
  voice: Pick<VoiceControls, 'micOn' | 'micLabel' | 'cycleMic'>;
  /** The camera button (none: not shown). */
  camera?: Pick<CameraControls, 'on' | 'label' | 'toggle'>;
  /** Leaves the room (back to the menu). */
  leave(): void;
  /** Sets the page's cursor. */
  applyCursor(cursor: string): void;
  /** Gives the keyboard back to the game: takes focus off any control. */
  focusGame(): void;
}

/**
 * @example
 * const matchMenu = createInMatchMenu({ input, sound, voice, leave: () => lobby.leave(),
 *   applyCursor: (c) => { document.body.style.cursor = c; }, focusGame: () => blurActive() });
 * hud.el.append(matchMenu.el);
 */
export function createInMatchMenu(deps: InMatchMenuDeps): InMatchMenu {
  let onHud = false;
  let cursor = '';
  const apply = () => {
    const playing = onHud && !view.isOpen();
    deps.input.setActive(playing);
    deps.applyCursor(view.isOpen() ? '' : cursor);
  };
  const { camera } = deps;
  const render = () =>
    view.render({
      ...deps.sound.settings(),
      micOn: deps.voice.micOn(),
      micLabel: deps.voice.micLabel(),
      ...(camera ? { camera: { on: camera.on(), label: camera.label() } } : {}),
    });
  const view = createMatchMenu({
    toggled(open) {
      apply();
      if (!open) deps.focusGame();
      render();
    },
    leave() {
      view.close();
      deps.leave();
    },
    volume(volume) {
      deps.sound.setVolume(volume);
      render();
    },
    mute(muted) {
      deps.sound.setMuted(muted);
      render();
    },
    mic: () => void deps.voice.cycleMic().then(render),
    camera: () => void camera?.toggle().then(render),
  });

  return {
    el: view.el,
    setOnHud(next) {
      onHud = next;
      if (!onHud) view.close();
      apply();
    },
    setCursor(next) {
      cursor = next;
      apply();
    },
    escape() {
      if (onHud) view.toggle();
    },
    render,
  };
}
