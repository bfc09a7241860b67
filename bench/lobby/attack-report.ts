/**
 * The attack scenario's verdict and tables: honest figures without and with attackers against
 * issue 10's targets, then, per attack, what it sent and what the server answered, then the
 * server's own /metrics account of its refusals.
 */
import { ATTACK_MIX } from './attack-mix.ts';
import type { AttackResult, AttackWindow } from './attack-scenario.ts';
import { count, fixed, renderRows } from './table.ts';
import { checkTarget, type TargetResult, verdict } from './targets.ts';

/** Issue 10's targets: honest traffic under attack against the same traffic without. */
export const ATTACK_TARGETS = {
  throughputRatio: { min: 0.9, label: '>= 0.9x' },
  p99Ratio: { max: 2, label: '<= 2x' },
  lostSignals: { max: 0, label: '0' },
} as const;

export function evaluateAttackTargets(result: AttackResult): Record<keyof typeof ATTACK_TARGETS, TargetResult> {
  const { baseline, underAttack } = result;
  const throughputRatio = underAttack.honest.deliveredPerS / baseline.honest.deliveredPerS;
  const p99Ratio = underAttack.honest.p99Ms / baseline.honest.p99Ms;
  const lost = baseline.lost + underAttack.lost;
  return {
    throughputRatio: checkTarget(
      'honest delivered msg/s, under attack / without',
      ATTACK_TARGETS.throughputRatio,
      throughputRatio,
    ),
    p99Ratio: checkTarget('honest p99 latency, under attack / without', ATTACK_TARGETS.p99Ratio, p99Ratio),
    lostSignals: checkTarget('honest signals lost, both windows', ATTACK_TARGETS.lostSignals, lost),
  };
}

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

/** `{"A": 3, "B": 10}` as `B 10, A 3`; `-` when empty. */
function tally(record: Record<string, number>): string {
  const entries = Object.entries(record).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? '-' : entries.map(([key, n]) => `${key} ${count(n)}`).join(', ');
}

function honestRows(result: AttackResult): string[][] {
  const { baseline: b, underAttack: a } = result;
  const targets = evaluateAttackTargets(result);
  const both = (label: string, of: (w: AttackWindow) => string, ratio = '', target = '') => [
    label,
    of(b),
    of(a),
    ratio,
    target,
  ];
  const mb = (kib: number) => fixed(kib / 1024, 0);
  return [
    ['', 'no attackers', 'under attack', 'ratio', 'target'],
    both(
      'honest delivered msg/s',
      (w) => count(w.honest.deliveredPerS),
      `${fixed(targets.throughputRatio.value, 3)}x`,
      verdict(targets.throughputRatio),
    ),
    both('honest p50 latency (ms)', (w) => fixed(w.honest.p50Ms, 2)),
    both(
      'honest p99 latency (ms)',
      (w) => fixed(w.honest.p99Ms, 2),
      `${fixed(targets.p99Ratio.value, 2)}x`,
      verdict(targets.p99Ratio),
    ),
    both('honest p99.9 / max latency (ms)', (w) => `${fixed(w.honest.p999Ms, 1)} / ${fixed(w.honest.maxMs, 0)}`),
    both(
      'honest signals lost (dropped + undelivered)',
      (w) => `${count(w.lost)} (${count(w.dropped)} + ${count(w.undelivered)})`,
      '',
      verdict(targets.lostSignals),
    ),
    both('honest errors / closes', (w) => `${tally(w.honest.totals.errors)} / ${tally(w.honest.totals.closes)}`),
    both('server CPU (% of a core)', (w) => fixed(w.honest.serverCpuPctOfCore, 0)),
    both('server RSS start -> end (MB)', (w) => `${mb(w.serverRssBeforeKiB)} -> ${mb(w.serverRssAfterKiB)}`),
    both('server sessions / connections after', (w) =>
      w.server ? `${count(w.server.sessions)} / ${count(w.server.connections)}` : 'n/a',
    ),
    both('attacker CPU (% of a core)', (w) => fixed(w.attackerCpuPctOfCore, 0)),
    both(
      'load-gen CPU (% of a core) / stall p99 (ms)',
      (w) => `${fixed(w.honest.loadGenCpuPctOfCore, 0)} / ${fixed(w.honest.loadGenStallP99Ms, 2)}`,
    ),
    both('other processes CPU (% of a core)', (w) => fixed(w.honest.otherCpuPctOfCore, 0)),
  ];
}

function attackRows(result: AttackResult): string[][] {
  const seconds = result.attacks.durationMs / 1000;
  const rows = [['attack', 'slots', 'address', 'what', 'conns', 'frames/s', 'server answered', 'server closed']];
  for (const spec of ATTACK_MIX) {
    const role = result.attacks.roles[spec.role];
    if (!role) continue;
    rows.push([
      spec.role,
      String(spec.slots),
      role.address,
      spec.what,
      count(role.connects + role.connectFailures),
      count(role.frames / seconds),
      tally(role.answers),
      tally(role.closes),
    ]);
  }
  return rows;
}

/** The human report of the attack scenario. */
export function renderAttackTable(result: AttackResult): string {
  const sdpShare = `1 in ${result.honestSdpEvery} SDP-sized`;
  const slots = ATTACK_MIX.reduce((n, spec) => n + spec.slots, 0);
  const addresses = new Set(ATTACK_MIX.map((spec) => spec.address)).size;
  const drain = `not arrived ${fixed(result.drainTimeoutMs / 1000, 0)} s after the window, the attack stopped at its end`;
  const lines = [
    `under attack: ${count(result.honestClients)} honest clients in rooms of 2, one address each, ` +
      `${result.honestRatePerClientPerS} signals/s each (${sdpShare}): ${count(result.offeredPerS)} msg/s offered; ` +
      `${slots} attacker slots over ${addresses} addresses, each paced at the server's ` +
      `${result.serverRatePerS} msg/s (burst ${result.serverBurst}); every limit at its default, --trust-proxy; ` +
      `${fixed(result.measureMs / 1000, 0)} s measured per column`,
    renderRows(honestRows(result)),
    `(lost: ${drain}; dropped: a later signal from the same sender did arrive)`,
    '',
    `attacks, over the whole attack (${fixed(result.attacks.durationMs / 1000, 1)} s):`,
    renderRows(attackRows(result)),
    '(answers counted while the attacker was connected: a paced attack answered well under once per frame',
    ' means the server was that far behind on it when the attack stopped)',
  ];
  const server = result.underAttack.server;
  if (server) {
    lines.push(
      '',
      "the server's own count of the attack (/metrics, once it had answered every attack frame):",
      `  limit hits: ${tally(server.limitHits)}`,
      `  closes: ${tally(server.closes)}`,
      `  errors sent: ${tally(server.errors)}`,
      `  message-rate drops: ${count(server.rateLimitDrops)}; internal errors: ${count(server.internalErrors)}; ` +
        `rooms at end: ${count(server.rooms)}; addresses at end: ${count(server.addresses)}`,
    );
  }
  const refusals = sum(server?.limitHits ?? {});
  if (server && refusals === 0) lines.push('  (no limit refused anything: the attack did not reach the limits)');
  const left = result.connectionsAfterAll;
  if (left !== null) {
    lines.push(
      `  once every client had gone: ${count(left)} connections still counted (0 expected)` +
        (left !== 0 ? ': LEAK, they still count against the per-address and total connection limits' : ''),
    );
  }
  return lines.join('\n');
}
