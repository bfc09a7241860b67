/**
 * The moderation controls on a player's row in the room lobby: mute their chat, and for the host a
 * kick that asks to be pressed again within a few seconds before it removes anyone.
 */
import { h } from './dom.js';

/** How long a first press of Kick waits for the second, ms. */
export const KICK_CONFIRM_MS = 4000;

export interface PlayerControlActions {
  muteChat(peerId: string): void;
  kick(peerId: string): void;
}

export interface PlayerControls {
  /** The controls for another player's row; `host`: this player is the host. */
  row(peer: { id: string; name: string }, shown: { chatMuted: boolean; host: boolean }): HTMLElement[];
  /** What the controls show now beyond the row's own state, to tell when rows must be drawn again. */
  key(): string;
}

/**
 * @example
 * const controls = createPlayerControls({ muteChat, kick }, () => performance.now());
 * row.append(...controls.row(peer, { chatMuted: muted.has(peer.id), host: isHost }));
 */
export function createPlayerControls(actions: PlayerControlActions, now: () => number): PlayerControls {
  let armed: { peerId: string; untilMs: number } | null = null;
  const armedFor = () => (armed !== null && now() < armed.untilMs ? armed.peerId : null);
  return {
    row(peer, { chatMuted, host }) {
      const chat = h(
        `button.small${chatMuted ? '.on' : ''}`,
        {
          testid: 'mute-chat',
          title: chatMuted ? `Show ${peer.name}’s chat messages again` : `Hide ${peer.name}’s chat messages`,
          onclick: () => actions.muteChat(peer.id),
        },
        chatMuted ? 'Show chat' : 'Hide chat',
      );
      if (!host) return [chat];
      const sure = armedFor() === peer.id;
      const kick = h(
        `button.small.danger${sure ? '.on' : ''}`,
        {
          testid: 'kick',
          title: sure ? `Press again to remove ${peer.name} from the room` : `Remove ${peer.name} from the room`,
          onclick: () => {
            if (armedFor() === peer.id) {
              armed = null;
              actions.kick(peer.id);
            } else armed = { peerId: peer.id, untilMs: now() + KICK_CONFIRM_MS };
          },
        },
        sure ? 'Sure?' : 'Kick',
      );
      return [chat, kick];
    },
    key: () => armedFor() ?? '',
  };
}
