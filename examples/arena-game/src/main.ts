/** Entry point: reads the URL, starts Phaser with the arena scene, and boots the app. */
import * as Phaser from 'phaser';
import { type ArenaApp, createApp } from './app.js';
import { createGameInput } from './input.js';
import { type OfflineShell, registerOfflineShell } from './offline-shell.js';
import { readParams } from './params.js';
import { ArenaScene } from './scenes/arena-scene.js';
import { createTouchControls } from './ui/touch-controls.js';
import { watchTouchDevice } from './ui/touch-device.js';

declare global {
  interface Window {
    /** The automation surface (README "Arena demo"): `snapshot()` returns plain JSON. */
    __arena: {
      snapshot: ArenaApp['snapshot'];
      screenOf: ArenaApp['screenOf'];
      /** The offline shell's service worker (offline-shell.ts), once registered or not. */
      offlineShell?: Promise<OfflineShell>;
    };
  }
}

const gameEl = document.getElementById('game') as HTMLElement;
const uiEl = document.getElementById('ui') as HTMLElement;
const params = readParams(window.location);
const scene = new ArenaScene();
let app: ArenaApp | null = null;
// The sticks lie under the HUD (first in #ui), shown in a match while playing by touch.
const touch = createTouchControls();
uiEl.prepend(touch.el);
watchTouchDevice(window, (on) => {
  touch.setTouchDevice(on);
  scene.setTouchPlay(on);
  document.documentElement.classList.toggle('touch', on);
});
const input = createGameInput(
  window,
  gameEl,
  {
    scoreboard: (held) => app?.handlers.scoreboard(held),
    pushToTalk: (held) => app?.handlers.pushToTalk(held),
    netgraph: () => app?.handlers.netgraph(),
    menu: () => app?.handlers.menu(),
    chat: () => app?.handlers.chat(),
  },
  touch,
);
app = createApp({
  params,
  ui: uiEl,
  scene,
  input,
  storage: { local: window.localStorage, session: window.sessionStorage },
  location: window.location,
  log: console,
});
const running = app;
scene.setSource(() => running.frame());

/**
 * WebGL emulated on the CPU (SwiftShader, llvmpipe: no GPU, or a blocklisted one) costs far more
 * than Canvas 2D for this game's flat shapes and starves the netcode's timers: use Canvas there.
 */
function softwareWebGl(): boolean {
  const gl = document.createElement('canvas').getContext('webgl');
  if (!gl) return true;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|software/i.test(renderer);
}

new Phaser.Game({
  type: softwareWebGl() ? Phaser.CANVAS : Phaser.WEBGL,
  parent: gameEl,
  backgroundColor: '#0b101c',
  banner: false,
  // Web Audio for the synthesized effects (audio/); Phaser unlocks it on the first click or key.
  audio: { disableWebAudio: false },
  scale: { mode: Phaser.Scale.RESIZE, width: '100%', height: '100%' },
  scene: [scene],
});

window.__arena = { snapshot: () => running.snapshot(), screenOf: (peerId) => running.screenOf(peerId) };
running.boot();
// The outcome is in `window.__arena.offlineShell` for tests; the game runs online either way.
const offlineShell = registerOfflineShell({
  location: window.location,
  navigator,
  built: (import.meta as { hot?: unknown }).hot === undefined,
});
window.__arena.offlineShell = offlineShell;
