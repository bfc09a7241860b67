/**
 * When the arena makes a sound: every shot (the player's own louder than others'), a hit this
 * player lands or takes, a kill (a fanfare for the killer, a fall for the victim, softer for a
 * kill between others), each second of the room's countdown, the round's start and its end.
 * Shots come from the frames drawn (each projectile new since the last frame: a projectile lives
 * for many ticks, so a slow page that skips ticks between frames still hears every shot), hits and
 * kills from the host's events, the rest from the phase on the app's clock.
 */
import type { SfxKind } from '../audio/sfx.js';
import type { RenderFrame } from '../scenes/arena-scene.js';
import type { ArenaEvent } from '../simulation.js';
import type { AppPhase } from './match-flow.js';

/** Loudness of what others do, next to what this player does or suffers (1). */
export const OTHERS_VOLUME = { shot: 0.4, hit: 0.3, kill: 0.45 };

export interface MatchSounds {
  /** A host event (hit, kill). */
  event(event: ArenaEvent): void;
  /** A frame the scene is about to draw: shots fired since the last one (none on the first: they were before). */
  frame(frame: RenderFrame): void;
  /** On the app's clock: the phase, and the countdown's whole seconds left (null: no countdown). */
  clock(phase: AppPhase, countdownS: number | null): void;
}

export interface MatchSoundsDeps {
  play(kind: SfxKind, volume?: number): void;
  /** This player's entity id, or null (not in a match). */
  selfEntityId(): number | null;
}

/**
 * @example
 * const sounds = createMatchSounds({ play: (kind, v) => board.play(kind, v), selfEntityId });
 * net.onEvent(({ event }) => sounds.event(event));
 */
export function createMatchSounds(deps: MatchSoundsDeps): MatchSounds {
  /** Projectiles in the last frame; null before a frame of a match. */
  let projectiles: Set<number> | null = null;
  let lastPhase: AppPhase = 'menu';
  let lastCountdownS: number | null = null;

  return {
    event(event) {
      const self = deps.selfEntityId();
      if (event.type === 'hit') {
        if (event.victim === self) deps.play('hurt');
        else if (event.shooter === self) deps.play('hit');
        else deps.play('hit', OTHERS_VOLUME.hit);
      } else if (event.type === 'kill') {
        if (event.victim === self) deps.play('death');
        else if (event.killer === self) deps.play('kill');
        else deps.play('kill', OTHERS_VOLUME.kill);
      }
    },
    frame(frame) {
      if (frame.overview || frame.self === null) {
        projectiles = null;
        return;
      }
      const now = new Set<number>();
      for (const [id, e] of frame.world) {
        if (e.kind !== 'projectile') continue;
        now.add(id);
        if (projectiles && !projectiles.has(id))
          deps.play('shot', e.fields.owner === frame.self ? 1 : OTHERS_VOLUME.shot);
      }
      projectiles = now;
    },
    clock(phase, countdownS) {
      if (phase === 'countdown' && countdownS !== null && countdownS > 0 && countdownS !== lastCountdownS)
        deps.play('beep');
      lastCountdownS = phase === 'countdown' ? countdownS : null;
      if (phase !== lastPhase) {
        if (phase === 'playing' && lastPhase === 'countdown') deps.play('go');
        if (phase === 'ended' && lastPhase === 'playing') deps.play('end');
        lastPhase = phase;
      }
    },
  };
}
