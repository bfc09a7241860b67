/**
 * A network conditioner: wraps any `Transport` (the memory transport in tests, the WebRTC mesh in
 * the demo's debug panel) and makes each link worse on purpose, with a seeded random source so a
 * run can be replayed. Conditions apply per link (remote peer) and direction: to messages this
 * peer sends before they reach the inner transport, and optionally to messages it receives before
 * its listeners see them. They can change at any time (`setConditions`).
 *
 * The model, after Linux netem (https://man7.org/linux/man-pages/man8/tc-netem.8.html):
 * - Delay: each message waits `latencyMs` plus jitter, uniform in ±`jitterMs` or normal with
 *   standard deviation `jitterMs`, never below 0. Each message draws its own delay, so jitter
 *   alone reorders unreliable messages, as netem does. A message whose delay is 0 goes at once.
 * - Unreliable messages (an unordered channel without retransmissions): lost with probability
 *   `loss`, independently or in bursts (`lossBurst`, the Gilbert two-state model: a bad state
 *   that loses every message, left with probability 1/lossBurst per message, entered at the rate
 *   that keeps the mean loss at `loss`); a kept message is duplicated with probability
 *   `duplicate` (the copy draws its own delay) and held back `reorderDelayMs` more with
 *   probability `reorder`, so later messages overtake it.
 * - Reliable messages (an ordered channel that retransmits, like SCTP): never lost, duplicated or
 *   reordered. Each attempt is lost with probability `loss` and costs `retransmitMs` more (at most
 *   8 retransmissions), and a message never overtakes an earlier one, so a retransmission holds
 *   back the messages behind it (head-of-line blocking), as on the real channel.
 *
 * `send` checks the payload at once, with the same `TransportError`s as the mesh, and captures it
 * (encoded), so changing the payload afterwards changes nothing. `send` counts a peer that
 * was reachable then, even if the message is later lost: a real network does not report losses.
 *
 * @example
 * const net = conditionTransport(mesh, { outgoing: { latencyMs: 50, jitterMs: 10, loss: 0.05 } },
 *   { timers: realTimers, random: Math.random });
 * net.setConditions('all', { loss: 0.2 }); // a debug slider
 * net.counters(peerId).outgoing; // { sent, dropped, duplicated, delivered, ... }
 */
import { createEmitter } from '../util/emitter.js';
import { normalSample, type Random } from '../util/random.js';
import type { Timers } from '../util/timers.js';
import { decodeOutgoing, encodeOutgoing } from './outgoing.js';
import type { Transport, TransportMessage, TransportSendOptions } from './transport.js';

export type JitterDistribution = 'uniform' | 'normal';
export type LinkDirection = 'outgoing' | 'incoming';

/** How one direction of one link misbehaves. */
export interface LinkConditions {
  /** Delay added to every message, ms. Default 0. */
  latencyMs: number;
  /** Variation of that delay, ms: the ± bound (uniform) or the standard deviation (normal). Default 0. */
  jitterMs: number;
  /** Shape of the jitter. Default `'uniform'`. */
  jitterDistribution: JitterDistribution;
  /** Fraction of unreliable messages lost (of reliable attempts retransmitted), 0..1. Default 0. */
  loss: number;
  /** Mean length of a run of unreliable losses, in messages (Gilbert model); 0 = independent losses. Default 0. */
  lossBurst: number;
  /** Extra delay of a reliable message per lost attempt (a retransmission timeout), ms. Default 200. */
  retransmitMs: number;
  /** Fraction of unreliable messages delivered twice, 0..1. Default 0. */
  duplicate: number;
  /** Fraction of unreliable messages held back so that later ones overtake them, 0..1. Default 0. */
  reorder: number;
  /** How much longer a reordered message is held back, ms. Default 40. */
  reorderDelayMs: number;
}

/** A perfect link: the defaults of every condition. */
export const linkConditionDefaults: Readonly<LinkConditions> = {
  latencyMs: 0,
  jitterMs: 0,
  jitterDistribution: 'uniform',
  loss: 0,
  lossBurst: 0,
  retransmitMs: 200,
  duplicate: 0,
  reorder: 0,
  reorderDelayMs: 40,
};

export interface ConditionerOptions {
  /** Conditions of messages this peer sends, on every link. Default: a perfect link. */
  outgoing?: Partial<LinkConditions>;
  /** Conditions of messages this peer receives, before listeners see them. Default: a perfect link. */
  incoming?: Partial<LinkConditions>;
}

export interface ConditionerDeps {
  timers: Timers;
  random: Random;
}

/** What one direction of one link did, in messages. */
export interface LinkCounters {
  /** Messages that entered the link (one per receiving peer of a send). */
  sent: number;
  /** Unreliable messages lost. */
  dropped: number;
  /** Unreliable messages delivered twice. */
  duplicated: number;
  /** Unreliable messages held back by `reorder`. */
  reordered: number;
  /** Lost attempts of reliable messages, each made up by a retransmission. */
  retransmitted: number;
  /** Copies passed on: to the inner transport (outgoing) or to listeners (incoming). */
  delivered: number;
  /** Outgoing copies the inner transport refused when their time came (the peer had gone). */
  unreachable: number;
}

export interface ConditionedTransport<P> extends Transport<P> {
  /**
   * Changes conditions from now on (messages already under way keep theirs). `'all'` applies the
   * given fields to every link, present and future; a peer id applies them to that link only.
   */
  setConditions(peer: string | 'all', conditions: Partial<LinkConditions>, direction?: LinkDirection | 'both'): void;
  /** The conditions a link has now. */
  conditions(peerId: string, direction?: LinkDirection): LinkConditions;
  /** A snapshot of a link's counters (zeros for a link that carried nothing). */
  counters(peerId: string): Record<LinkDirection, LinkCounters>;
  /** Stops: drops the messages held, stops listening to the inner transport (left open); `send` returns 0. */
  close(): void;
}

export class ConditionerError extends Error {
  override name = 'ConditionerError';
  constructor(
    readonly code: 'INVALID_CONDITIONS',
    message: string,
  ) {
    super(message);
  }
}

/** One direction of one link. */
interface Lane {
  counters: LinkCounters;
  /** Gilbert model state: losing every unreliable message. */
  bad: boolean;
  /** Reliable messages held, in send order. */
  reliable: { deliver: () => void }[];
  /** When the last reliable message is due: none may be due earlier (FIFO). */
  lastReliableAt: number;
}

/** Retransmissions of one reliable message, at most (so `loss: 1` still delivers). */
const MAX_RETRANSMITS = 8;

const emptyCounters = (): LinkCounters => ({
  sent: 0,
  dropped: 0,
  duplicated: 0,
  reordered: 0,
  retransmitted: 0,
  delivered: 0,
  unreachable: 0,
});

function checkConditions(c: LinkConditions): LinkConditions {
  const fail = (what: string) => {
    throw new ConditionerError('INVALID_CONDITIONS', what);
  };
  for (const key of ['latencyMs', 'jitterMs', 'lossBurst', 'retransmitMs', 'reorderDelayMs'] as const) {
    if (!(Number.isFinite(c[key]) && c[key] >= 0)) fail(`${key} must be a finite number >= 0, not ${c[key]}`);
  }
  for (const key of ['loss', 'duplicate', 'reorder'] as const) {
    if (!(c[key] >= 0 && c[key] <= 1)) fail(`${key} must be within 0..1, not ${c[key]}`);
  }
  if (c.jitterDistribution !== 'uniform' && c.jitterDistribution !== 'normal') {
    fail(`jitterDistribution must be 'uniform' or 'normal', not ${String(c.jitterDistribution)}`);
  }
  return c;
}

export function conditionTransport<P>(
  inner: Transport<P>,
  options: ConditionerOptions,
  deps: ConditionerDeps,
): ConditionedTransport<P> {
  const { timers, random } = deps;
  const events = createEmitter<{ message: TransportMessage<P> }>();
  const base: Record<LinkDirection, LinkConditions> = {
    outgoing: checkConditions({ ...linkConditionDefaults, ...options.outgoing }),
    incoming: checkConditions({ ...linkConditionDefaults, ...options.incoming }),
  };
  const overrides: Record<LinkDirection, Map<string, LinkConditions>> = { outgoing: new Map(), incoming: new Map() };
  const lanes = new Map<string, Record<LinkDirection, Lane>>();
  const held = new Set<unknown>();
  let closed = false;

  const conditionsOf = (peerId: string, direction: LinkDirection) =>
    overrides[direction].get(peerId) ?? base[direction];

  function laneOf(peerId: string, direction: LinkDirection): Lane {
    let pair = lanes.get(peerId);
    if (!pair) {
      const lane = (): Lane => ({ counters: emptyCounters(), bad: false, reliable: [], lastReliableAt: -Infinity });
      pair = { outgoing: lane(), incoming: lane() };
      lanes.set(peerId, pair);
    }
    return pair[direction];
  }

  function later(ms: number, fn: () => void): void {
    if (ms <= 0) return fn();
    const handle = timers.setTimeout(() => {
      held.delete(handle);
      fn();
    }, ms);
    held.add(handle);
  }

  function delayOf(c: LinkConditions): number {
    if (c.jitterMs <= 0) return c.latencyMs;
    const unit = c.jitterDistribution === 'normal' ? normalSample(random) : random() * 2 - 1;
    return Math.max(0, c.latencyMs + unit * c.jitterMs);
  }

  function lost(lane: Lane, c: LinkConditions): boolean {
    if (c.loss <= 0) {
      lane.bad = false;
      return false;
    }
    if (c.lossBurst <= 0 || c.loss >= 1) return random() < c.loss;
    const wasBad = lane.bad;
    const leave = 1 / Math.max(1, c.lossBurst);
    const enter = Math.min(1, (c.loss * leave) / (1 - c.loss));
    lane.bad = wasBad ? random() >= leave : random() < enter;
    return wasBad;
  }

  /** Takes one message through a lane; `deliver(copy)` passes it on and says whether it was taken. */
  function pass(lane: Lane, c: LinkConditions, reliable: boolean, deliver: (copy: boolean) => boolean): void {
    const { counters } = lane;
    const forward = (copy: boolean) => {
      if (deliver(copy)) counters.delivered++;
      else counters.unreachable++;
    };
    counters.sent++;
    if (reliable) {
      let delay = delayOf(c);
      for (let n = 0; n < MAX_RETRANSMITS && c.loss > 0 && random() < c.loss; n++) {
        delay += c.retransmitMs;
        counters.retransmitted++;
      }
      const now = timers.now();
      const at = Math.max(now + delay, lane.lastReliableAt);
      lane.lastReliableAt = at;
      const entry = { deliver: () => forward(false) };
      lane.reliable.push(entry);
      // Whichever timer fires, everything queued up to its message goes, in order.
      later(at - now, () => {
        const index = lane.reliable.indexOf(entry);
        for (const due of lane.reliable.splice(0, index + 1)) due.deliver();
      });
      return;
    }
    if (lost(lane, c)) {
      counters.dropped++;
      return;
    }
    const copies = c.duplicate > 0 && random() < c.duplicate ? 2 : 1;
    if (copies === 2) counters.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = delayOf(c);
      if (c.reorder > 0 && random() < c.reorder) {
        delay += c.reorderDelayMs;
        counters.reordered++;
      }
      later(delay, () => forward(i > 0));
    }
  }

  const unsubscribe = inner.on('message', (message) => {
    pass(laneOf(message.from, 'incoming'), conditionsOf(message.from, 'incoming'), message.reliable, (copy) => {
      events.emit('message', copy ? { ...message, payload: structuredClone(message.payload) } : message);
      return true;
    });
  });

  function send(to: string | 'all', payload: P, sendOptions: TransportSendOptions = {}): number {
    const reliable = sendOptions.reliable === true;
    const body = encodeOutgoing(payload, reliable);
    if (closed) return 0;
    const reachable = inner.peers();
    const targets = to === 'all' ? reachable : reachable.filter((id) => id === to);
    for (const target of targets) {
      // The decoded copy is this payload as it was at `send`, so it is a P.
      const deliver = () => inner.send(target, decodeOutgoing(body) as P, { reliable }) > 0;
      pass(laneOf(target, 'outgoing'), conditionsOf(target, 'outgoing'), reliable, deliver);
    }
    return targets.length;
  }

  function setConditions(
    peer: string | 'all',
    conditions: Partial<LinkConditions>,
    direction: LinkDirection | 'both' = 'outgoing',
  ): void {
    const directions: LinkDirection[] = direction === 'both' ? ['outgoing', 'incoming'] : [direction];
    for (const d of directions) {
      if (peer === 'all') {
        base[d] = checkConditions({ ...base[d], ...conditions });
        for (const [id, c] of overrides[d]) overrides[d].set(id, checkConditions({ ...c, ...conditions }));
      } else {
        overrides[d].set(peer, checkConditions({ ...conditionsOf(peer, d), ...conditions }));
      }
    }
  }

  return {
    peers: () => inner.peers(),
    send,
    on: events.on,
    setConditions,
    conditions: (peerId, direction = 'outgoing') => ({ ...conditionsOf(peerId, direction) }),
    counters(peerId) {
      const pair = lanes.get(peerId);
      return {
        outgoing: { ...(pair?.outgoing.counters ?? emptyCounters()) },
        incoming: { ...(pair?.incoming.counters ?? emptyCounters()) },
      };
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const handle of held) timers.clearTimeout(handle);
      held.clear();
      for (const pair of lanes.values()) {
        pair.outgoing.reliable.length = 0;
        pair.incoming.reliable.length = 0;
      }
    },
  };
}
