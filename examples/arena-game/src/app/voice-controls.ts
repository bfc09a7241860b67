/**
 * Voice controls: the mic button's cycle (off → open mic → push-to-talk on V → off), the sentence
 * that explains it, who is speaking, whom this player has muted, and spatial voice (the listener
 * at the local player, every other voice where its player is drawn).
 * Listening never depends on the mic button: the others' voices play and ring from the moment a
 * voice is attached (the player has clicked or pressed Enter to join), and turning the mic off
 * only stops sending. A room entered from the URL at load has had no gesture yet: the player's
 * first click or key (`gesture()`) lets the browser start the held-back audio.
 */
import { type Room, SELF, type Voice, type VoiceFailure, type VoiceStatus } from '@tickmesh/netcode';
import { type ArenaEntity, playerEntityId } from '../simulation.js';
import type { RoomChange } from './lobby-flow.js';

/** What the mic button has set: off, open mic, or push-to-talk on V. */
export type MicMode = 'off' | 'open' | 'ptt';

/** The mode a click on the mic button moves to. */
export function nextMicMode(mode: MicMode): MicMode {
  return mode === 'off' ? 'open' : mode === 'open' ? 'ptt' : 'off';
}

/** The mic button's text. */
export function micLabel(mode: MicMode, voiceStatus: VoiceStatus | null): string {
  if (mode === 'off' || voiceStatus !== 'on') return 'Mic off';
  return mode === 'ptt' ? 'Push V' : 'Mic on';
}

/** Why the microphone did not start, in the player's words; the others are still heard. */
export function micProblem(reason: VoiceFailure): string {
  const why = {
    denied: 'The browser refused the microphone.',
    'no-device': 'No microphone found.',
    unsupported: 'This browser cannot use a microphone.',
    error: 'The microphone did not start.',
  }[reason];
  return `${why} You still hear everyone.`;
}

/** The part of the session's voice these controls use. */
export type ControlledVoice = Pick<
  Voice,
  | 'status'
  | 'listening'
  | 'listen'
  | 'start'
  | 'stop'
  | 'setPushToTalk'
  | 'setTalking'
  | 'setPeerMuted'
  | 'setSpatial'
  | 'setListener'
  | 'setPeerPosition'
  | 'on'
>;

export interface VoiceControls {
  /** Peer ids speaking now (this player's own id too). */
  readonly speaking: ReadonlySet<string>;
  /** Peer ids this player has muted. */
  readonly muted: ReadonlySet<string>;
  /** The voice's status ('off' before there is a voice). */
  status(): VoiceStatus;
  /** The mic is sending (or ready to, on push-to-talk). */
  micOn(): boolean;
  micLabel(): string;
  /** What the mic button's tooltip says: how to use it, or why it is off. */
  note(): string;
  /** The voice of a new session, listening at once; `selfId` names the local microphone in `speaking`. */
  attach(voice: ControlledVoice | null, selfId: () => string | null): void;
  /** A click or key press anywhere: lets the browser play voices it held back for want of one. */
  gesture(): void;
  /** The mic button: to the next mode (or `to`), starting the microphone if needed. */
  cycleMic(to?: MicMode): Promise<void>;
  toggleMute(peerId: string): void;
  /** V held or released (only in push-to-talk). */
  pushToTalk(held: boolean): void;
  /** `voice=1`: the microphone opens on entering a room. */
  roomChanged(change: RoomChange): void;
  setSpatial(enabled: boolean): void;
  /** Places the listener at `me` and every other player's voice where it is drawn. */
  placeVoices(world: ReadonlyMap<number, ArenaEntity>, me: ArenaEntity | undefined, room: Room | null): void;
}

export interface VoiceControlsDeps {
  /** Open the microphone on entering a room (`voice=1`). */
  autoStart: boolean;
  selfId(): string | null;
  /** Something the mic button or a mute button shows has changed. */
  changed(): void;
}

/**
 * @example
 * const controls = createVoiceControls({ autoStart: false, selfId: () => lobby.peerId, changed: render });
 * controls.attach(session.voice, () => lobby.peerId);
 * micButton.onclick = () => void controls.cycleMic();
 */
export function createVoiceControls(deps: VoiceControlsDeps): VoiceControls {
  const speaking = new Set<string>();
  const muted = new Set<string>();
  let voice: ControlledVoice | null = null;
  let mode: MicMode = 'off';
  let note = 'Click to talk; V is push-to-talk.';

  async function cycleMic(to?: MicMode): Promise<void> {
    if (!voice) return;
    const next = to ?? nextMicMode(mode);
    mode = next;
    if (next === 'off') {
      voice.stop();
      note = 'Microphone off. You still hear everyone.';
    } else {
      voice.setPushToTalk(next === 'ptt');
      if (voice.status !== 'on') {
        const started = await voice.start();
        if (!started.ok) {
          mode = 'off';
          if (started.reason !== 'cancelled') note = micProblem(started.reason);
        }
      }
      // Read again: another click may have changed the mode while the microphone started.
      if (mode !== 'off') note = next === 'ptt' ? 'Hold V to talk.' : 'Open mic: everyone hears you.';
    }
    deps.changed();
  }

  return {
    speaking,
    muted,
    status: () => voice?.status ?? 'off',
    micOn: () => mode !== 'off' && voice?.status === 'on',
    micLabel: () => micLabel(mode, voice?.status ?? null),
    note: () => note,
    attach(next, selfId) {
      voice = next;
      next?.on('speaking', ({ id, speaking: on }) => {
        const peerId = id === SELF ? selfId() : id;
        if (peerId === null) return;
        if (on) speaking.add(peerId);
        else speaking.delete(peerId);
      });
      next?.listen();
    },
    gesture() {
      // Only a voice already listening: a closed one (its session gone) stays closed.
      if (voice?.listening) voice.listen();
    },
    cycleMic,
    toggleMute(peerId) {
      if (muted.has(peerId)) muted.delete(peerId);
      else muted.add(peerId);
      voice?.setPeerMuted(peerId, muted.has(peerId));
      deps.changed();
    },
    pushToTalk(held) {
      if (mode === 'ptt') voice?.setTalking(held);
    },
    roomChanged({ before, room }) {
      if (deps.autoStart && room && mode === 'off' && before?.code !== room.code) void cycleMic('open');
    },
    setSpatial(enabled) {
      voice?.setSpatial(enabled);
    },
    placeVoices(world, me, room) {
      if (!voice?.listening || me?.kind !== 'player') return;
      voice.setListener({ x: me.fields.x, y: me.fields.y, angle: me.fields.angle });
      for (const p of room?.peers ?? []) {
        if (p.id === deps.selfId()) continue;
        const e = world.get(playerEntityId(p.id));
        voice.setPeerPosition(p.id, e?.kind === 'player' ? { x: e.fields.x, y: e.fields.y } : null);
      }
    },
  };
}
