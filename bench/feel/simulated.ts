/**
 * Key to remote screen on the simulated network: how long after a player presses a key the other
 * pages draw its player moving, and where that time goes.
 *
 * A room of three (the host `h`, clients `a` and `b`) plays the dots game on the in-memory network
 * under the conditioner, on a simulated clock. Client `a` presses right or left for 400 ms, then
 * rests for 600 ms, `presses` times; each press starts at a random moment within a tick (a key
 * goes down whenever it goes down, and waits for the tick that samples it). `b` and `h` draw a
 * frame every 1/60 s (each with its own phase); a press is seen on a page at the first frame that
 * draws `a` more than {@link MOVED_PX} from where that page drew it when the key went down, in the
 * key's direction.
 *
 * Components, read from the engines while the presses are measured (means): `a`'s lead over the
 * host (its input waits that long to be stepped, one-way delay included), the one-way delay of the
 * link, the viewer's interpolation delay, and what is left (the wait for the next snapshot and for
 * the next frame, and what a lost packet costs). With `remotePlayers: 'predicted'` the viewer steps
 * `a` with `a`'s own inputs, sent to it directly: the lead and the interpolation delay are off the
 * path (0 here), what is left is the wait for the viewer's next tick and frame, and for a lost input.
 *
 * Draw error: how far `b` drew `a`, every frame, from where the host had `a` at the tick `b` drew
 * (0 when interpolated without loss; predicted, the price of guessing `a` kept its last input).
 */
import { playerEntityId, type SyncTuning } from '@tickmesh/netcode';
import {
  createRandom,
  createRoom,
  type DotsInput,
  dotOf,
  dotsGame,
  type LinkConditions,
} from '@tickmesh/netcode/testing';
import { type Distribution, distribution, mean } from './distribution.ts';

/** A page sees the press once it draws the player this far from where it was, px. */
const MOVED_PX = 0.5;
const FRAME_MS = 1000 / 60;
const PRESS_MS = 400;
const REST_MS = 600;
/** Presses before the measured ones: clocks settle, the render clock finds its delay. */
const WARMUP_PRESSES = 3;

export interface FeelScenario {
  name: string;
  rttMs: number;
  jitterMs: number;
  loss: number;
}

export interface FeelResult {
  scenario: FeelScenario;
  /** Key to the other client's screen, ms. */
  client: Distribution;
  /** Key to the host's screen, ms. */
  host: Distribution;
  /** Presses a page never showed. */
  missed: number;
  /** Where the time to the other client's screen goes, ms (means; predicted: lead and interp are 0, off the path). */
  components: { leadMs: number; oneWayMs: number; interpDelayMs: number; restMs: number };
  /**
   * How far `b` drew `a`, every frame of the measured presses, from where the host had `a` at the
   * tick `b` drew it at (predicted: from the host's path between that tick and the one before), px.
   */
  drawErrorPx: Distribution;
  /** Inputs of `a` the host stepped as sent, of those it stepped. */
  inputsAsSent: number;
  inputsStepped: number;
}

/** Distance from point `p` to the segment from `a` to `b`. */
function distanceToSegment(p: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const f = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return Math.hypot(p.x - (a.x + dx * f), p.y - (a.y + dy * f));
}

export function measureFeel(
  scenario: FeelScenario,
  tuning: Partial<SyncTuning>,
  presses: number,
  seed = 3,
): FeelResult {
  const conditions: Partial<LinkConditions> = {
    latencyMs: scenario.rttMs / 2,
    jitterMs: scenario.jitterMs,
    loss: scenario.loss,
  };
  const random = createRandom(seed);
  let clockNow = () => 0;
  /** The current press: when the key went down and up, and which way. */
  let press = { downAt: Number.POSITIVE_INFINITY, upAt: Number.POSITIVE_INFINITY, dx: 1 as -1 | 1 };
  const script = (player: string): DotsInput => {
    const now = clockNow();
    const held = player === 'a' && now >= press.downAt && now < press.upAt;
    return { dx: held ? press.dx : 0, dy: 0, fire: false };
  };
  const room = createRoom({ game: dotsGame, ids: ['h', 'a', 'b'], conditions, script, seed, tuning });
  const { clock } = room;
  clockNow = () => clock.now();
  const peer = (id: string) => {
    const p = room.peers.get(id);
    if (!p) throw new Error(`no peer ${id}`);
    return p;
  };
  const [h, a, b] = [peer('h'), peer('a'), peer('b')];
  const players = ['h', 'a', 'b'];
  for (const p of [h, a, b]) p.engine.start({ hostId: 'h', players });
  clock.advance(2_000);

  const entity = playerEntityId('a');
  /** What `b` drew of `a` in one frame, and the tick it drew it at. */
  interface DrawSample {
    x: number;
    y: number;
    /** Interpolated: the render tick. Predicted: the local tick (drawn between it and the one before). */
    tick: number;
    predicted: boolean;
  }
  const drawSamples: (DrawSample | null)[] = [];
  const drawSample = (viewer: typeof b): DrawSample | null => {
    const view = viewer.engine.view();
    const fields = view?.entities.get(entity)?.fields as { x: number; y: number } | undefined;
    if (!view || !fields) return null;
    const predicted = view.localEntities.has(entity);
    return { x: fields.x, y: fields.y, tick: predicted ? view.tick : view.renderTick, predicted };
  };
  const drawnX = (viewer: typeof b): number | undefined => {
    const view = viewer.engine.view();
    const fields = view?.entities.get(entity)?.fields as { x: number } | undefined;
    return fields?.x;
  };
  const seen: Record<'client' | 'host', number[]> = { client: [], host: [] };
  let missed = 0;
  const leads: number[] = [];
  const interp: number[] = [];
  const phases = { client: random() * FRAME_MS, host: random() * FRAME_MS };
  for (let i = 0; i < WARMUP_PRESSES + presses; i++) {
    const measured = i >= WARMUP_PRESSES;
    const downAt = clock.now() + random() * (1000 / 60);
    clock.advanceTo(downAt);
    press = { downAt, upAt: downAt + PRESS_MS, dx: i % 2 === 0 ? 1 : -1 };
    const from = { client: drawnX(b), host: drawnX(h) };
    const at: Record<'client' | 'host', number | null> = { client: null, host: null };
    const cycleEnd = downAt + PRESS_MS + REST_MS;
    // Every frame of each viewer until the cycle ends.
    for (let t = downAt + 1; t < cycleEnd; t++) {
      clock.advanceTo(t);
      for (const [key, viewer] of [
        ['client', b],
        ['host', h],
      ] as const) {
        // This viewer's frames fall on its phase.
        const frame = Math.floor((t - phases[key]) / FRAME_MS) !== Math.floor((t - 1 - phases[key]) / FRAME_MS);
        if (!frame) continue;
        if (key === 'client' && measured) drawSamples.push(drawSample(b));
        if (at[key] !== null) continue;
        const x = drawnX(viewer);
        const x0 = from[key];
        if (x !== undefined && x0 !== undefined && (x - x0) * press.dx > MOVED_PX) at[key] = t - downAt;
      }
    }
    clock.advanceTo(cycleEnd);
    if (!measured) continue;
    for (const key of ['client', 'host'] as const) {
      const value = at[key];
      if (value === null) missed++;
      else seen[key].push(value);
    }
    leads.push(a.engine.stats().tickOffsetMs);
    interp.push(b.engine.stats().interpDelayMs);
  }
  let stepped = 0;
  let asSent = 0;
  for (const [tick, input] of a.sampled) {
    const used = h.stepped.get(tick)?.get('a');
    if (used === undefined) continue;
    stepped++;
    if (used.dx === input.dx && used.dy === input.dy && used.fire === input.fire) asSent++;
  }
  const drawErrors = drawSamples.flatMap((sample) => {
    if (sample === null) return [];
    const at = (t: number) => dotOf(h.states.get(t), 'a');
    const [p, q] = sample.predicted
      ? [at(sample.tick - 1), at(sample.tick)]
      : [at(Math.floor(sample.tick)), at(Math.ceil(sample.tick))];
    if (!p || !q) return [];
    if (!sample.predicted) {
      const f = sample.tick - Math.floor(sample.tick);
      return [Math.hypot(sample.x - (p.x + (q.x - p.x) * f), sample.y - (p.y + (q.y - p.y) * f))];
    }
    return [distanceToSegment(sample, p, q)];
  });
  const predicted = b.engine.tuning.remotePlayers === 'predicted';
  for (const p of [h, a, b]) p.close();
  const client = distribution(seen.client);
  const components = {
    leadMs: predicted ? 0 : mean(leads),
    oneWayMs: Math.max(0, scenario.rttMs / 2 - scenario.jitterMs),
    interpDelayMs: predicted ? 0 : mean(interp),
    restMs: 0,
  };
  components.restMs = mean(seen.client) - components.leadMs - components.oneWayMs - components.interpDelayMs;
  return {
    scenario,
    client,
    host: distribution(seen.host),
    missed,
    components,
    drawErrorPx: distribution(drawErrors),
    inputsAsSent: asSent,
    inputsStepped: stepped,
  };
}
