/**
 * The page's screens: which of the menu, the room lobby and the HUD is shown (and what that
 * switches: gameplay keys, spatial voice, the cursor), and their models, with the netgraph's, on
 * every render. Clicks pass through to the canvas except where a panel takes them.
 */
import { type ArenaNet, NO_NET_FIGURES, type PeerNet } from '../net.js';
import { h } from '../ui/dom.js';
import type { HudModel } from '../ui/hud.js';
import type { NetgraphModel } from '../ui/netgraph.js';
import type { RoomModel } from '../ui/room.js';
import type { ChatLog } from './chat-log.js';
import { hudModel } from './hud-model.js';
import type { LobbyFlow } from './lobby-flow.js';
import type { MatchFlow } from './match-flow.js';
import type { VoiceControls } from './voice-controls.js';

type Shown = 'menu' | 'room' | 'hud';

export interface ScreensDeps {
  /** Where the screens and the netgraph go. */
  ui: HTMLElement;
  menu: { readonly el: HTMLElement };
  roomView: { readonly el: HTMLElement; render(model: RoomModel): void };
  hud: { readonly el: HTMLElement; render(model: HudModel, nowMs: number): void };
  netgraph: { readonly el: HTMLElement; render(model: NetgraphModel): void };
  lobby: Pick<LobbyFlow<Pick<ArenaNet, 'view' | 'peers' | 'figures' | 'role'>>, 'room' | 'selfId' | 'net'>;
  match: Pick<MatchFlow, 'phase' | 'backInS'>;
  voice: Pick<VoiceControls, 'speaking' | 'muted' | 'micOn' | 'micLabel' | 'note' | 'setSpatial'>;
  chat: Pick<ChatLog, 'lines' | 'muted'>;
  /** Whether Ready carries over to the next round. */
  stayReady(): boolean;
  /** Who killed this player last, for the death screen (null: nobody yet). */
  killer(): string | null;
  inviteLink(code: string): string;
  /** Links forced through TURN (`relay=1`). */
  relay: boolean;
  /** Gameplay keys taken (only on the HUD). */
  setInputActive(active: boolean): void;
  setCursor(cursor: string): void;
  /** The page's clock, ms. */
  now(): number;
  /** The wall clock, ms (the server's countdown is in epoch ms). */
  wallClock(): number;
}

export interface Screens {
  show(which: Shown): void;
  /** DOM updates: a few times a second, and on demand. */
  render(): void;
  /** Tab held or released. */
  setScoreboard(held: boolean): void;
  /** The Scores button (touch): opens the scoreboard, or closes it. */
  toggleScoreboard(): void;
}

export function createScreens(deps: ScreensDeps): Screens {
  const screen = h('div', { style: 'position:absolute;inset:0;pointer-events:none' });
  deps.ui.append(screen, deps.netgraph.el);
  let shown: Shown | null = null;
  let scoreboardHeld = false;
  const { lobby, match, voice } = deps;
  const peers = (): Map<string, PeerNet> => lobby.net()?.peers() ?? new Map();

  function show(which: Shown): void {
    if (shown === which) return;
    shown = which;
    screen.replaceChildren(which === 'menu' ? deps.menu.el : which === 'room' ? deps.roomView.el : deps.hud.el);
    deps.setInputActive(which === 'hud');
    voice.setSpatial(which === 'hud');
    deps.setCursor(which === 'hud' ? 'none' : '');
  }

  function render(): void {
    const p = match.phase();
    const room = lobby.room();
    const self = lobby.selfId();
    if (!room || !self) {
      show('menu');
    } else if (p === 'lobby' || p === 'countdown') {
      show('room');
      deps.roomView.render({
        room,
        selfId: self,
        invite: deps.inviteLink(room.code),
        peers: peers(),
        speaking: voice.speaking,
        muted: voice.muted,
        micOn: voice.micOn(),
        micLabel: voice.micLabel(),
        voiceNote: voice.note(),
        chat: deps.chat.lines(),
        chatMuted: deps.chat.muted,
        stayReady: deps.stayReady(),
        nowMs: deps.wallClock(),
      });
    } else {
      show('hud');
      const view = lobby.net()?.view();
      const now = deps.now();
      const people = { room, selfId: self, peers: peers(), speaking: voice.speaking, muted: voice.muted };
      const ended = p === 'ended' ? { backInS: match.backInS(now) } : null;
      const shown = {
        scoreboard: scoreboardHeld,
        ended,
        micOn: voice.micOn(),
        micLabel: voice.micLabel(),
        killer: deps.killer(),
      };
      deps.hud.render(hudModel(view, people, shown), now);
    }
    const net = lobby.net();
    const names = new Map(room?.peers.map((q) => [q.id, q.name]) ?? []);
    deps.netgraph.render({
      peers: [...peers().values()].map((q) => ({ ...q, name: names.get(q.id) ?? q.id })),
      net: net?.figures() ?? NO_NET_FIGURES,
      relay: deps.relay,
      role: net?.role() ?? 'offline',
    });
  }

  return {
    show,
    render,
    setScoreboard(held) {
      scoreboardHeld = held;
      render();
    },
    toggleScoreboard() {
      scoreboardHeld = !scoreboardHeld;
      render();
    },
  };
}
