/**
 * The network conditioner as a player sets it: the netgraph's latency, jitter and loss sliders,
 * which the URL's `lag=`, `jitter=` and `loss=` set before the page starts (README "Automation
 * surface"). `ArenaNet.setConditions` applies them to both directions of every link of this page's
 * game traffic (not voice, not the lobby): latency 50 holds each game message this page sends for
 * 50 ms and each one it receives for 50 ms, so every peer is 100 ms more RTT away from this page
 * alone, and two pages both at 50 are 200 ms more RTT apart.
 */

/** What the sliders set; every field applies to each direction of each link on its own. */
export interface NetConditions {
  /** Delay added to every game message, ms. */
  latencyMs: number;
  /** Each message's delay varies by up to ± this, uniformly (never below 0), ms. */
  jitterMs: number;
  /** Fraction of unreliable game messages lost, 0..1 (a reliable one is retransmitted, 200 ms per loss). */
  loss: number;
}

/** A perfect link: nothing added. */
export const NO_CONDITIONS: Readonly<NetConditions> = { latencyMs: 0, jitterMs: 0, loss: 0 };

/** The sliders' ranges, whole numbers from 0; the URL's values outside them are ignored. */
export const CONDITION_LIMITS = {
  /** `lag=`, the latency slider, ms. */
  latencyMs: 300,
  /** `jitter=`, ms. */
  jitterMs: 100,
  /** `loss=`, percent. */
  lossPercent: 30,
} as const;
