/**
 * The in-match menu: a button at the HUD's top right (and Escape) opens a panel to leave the
 * match, set the sound's volume or mute it, switch the mic, or close it again. While it is open
 * the game takes no gameplay keys; closing hands the keys back to the game.
 */
import { h, setText } from './dom.js';

export interface MatchMenuModel {
  /** 0..1. */
  volume: number;
  muted: boolean;
  micOn: boolean;
  /** The mic button's text. */
  micLabel: string;
  /** The camera button (none: not shown). */
  camera?: { on: boolean; label: string };
}

export interface MatchMenuActions {
  /** The menu opened or closed (the app switches gameplay keys and the cursor). */
  toggled(open: boolean): void;
  leave(): void;
  volume(volume: number): void;
  mute(muted: boolean): void;
  mic(): void;
  /** The camera button: on or off. */
  camera?(): void;
}

export interface MatchMenuView {
  /** The button and the panel: goes in the HUD. */
  readonly el: HTMLElement;
  isOpen(): boolean;
  open(): void;
  close(): void;
  /** Escape: opens it, or closes it when open. */
  toggle(): void;
  render(model: MatchMenuModel): void;
}

/**
 * @example
 * const matchMenu = createMatchMenu({ toggled, leave: () => lobby.leave(), volume, mute, mic });
 * hud.el.append(matchMenu.el);
 */
export function createMatchMenu(actions: MatchMenuActions): MatchMenuView {
  let open = false;
  const volume = h('input', {
    type: 'range',
    min: '0',
    max: '100',
    step: '5',
    testid: 'volume',
    'aria-label': 'Sound volume',
    oninput: () => actions.volume(Number(volume.value) / 100),
  });
  const volumeText = h('span.volume-value');
  const mute = h('input', {
    type: 'checkbox',
    testid: 'mute-sound',
    onchange: () => actions.mute(mute.checked),
  });
  const mic = h('button', { testid: 'menu-mic', onclick: () => actions.mic() }, 'Mic off');
  const cam = h('button', { testid: 'menu-camera', onclick: () => actions.camera?.() }, 'Cam off');
  cam.style.display = 'none';
  const panel = h(
    'div.match-menu.panel',
    { role: 'dialog', 'aria-label': 'Match menu', testid: 'match-menu' },
    h('h2', {}, 'Menu'),
    h('div.muted', {}, 'The match goes on while this is open.'),
    h('label.volume-row', {}, h('span', {}, 'Sound'), volume, volumeText),
    h('label.mute-row', {}, mute, ' Mute sounds'),
    mic,
    cam,
    h('button.danger', { testid: 'leave-match', onclick: () => actions.leave() }, 'Leave match'),
    h('button.primary', { testid: 'close-menu', onclick: () => close() }, 'Back to the game (Esc)'),
  );
  const button = h(
    'button.match-menu-button',
    { testid: 'open-menu', 'aria-label': 'Menu', title: 'Menu (Esc)', onclick: () => toggle() },
    '☰',
  );
  const el = h('div.match-menu-host', {}, button, panel);
  panel.style.display = 'none';

  function set(next: boolean): void {
    if (open === next) return;
    open = next;
    panel.style.display = open ? '' : 'none';
    button.classList.toggle('on', open);
    actions.toggled(open);
  }
  const close = () => set(false);
  const toggle = () => set(!open);

  return {
    el,
    isOpen: () => open,
    open: () => set(true),
    close,
    toggle,
    render(m) {
      const percent = String(Math.round(m.volume * 100));
      // Not while the player drags it: the slider is the source then.
      if (document.activeElement !== volume && volume.value !== percent) volume.value = percent;
      setText(volumeText, m.muted ? 'muted' : `${percent}%`);
      mute.checked = m.muted;
      mic.classList.toggle('on', m.micOn);
      setText(mic, m.micLabel);
      cam.style.display = m.camera ? '' : 'none';
      cam.classList.toggle('on', m.camera?.on ?? false);
      setText(cam, m.camera?.label ?? '');
    },
  };
}
