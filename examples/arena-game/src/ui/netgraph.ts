/**
 * The netgraph (F3): per-peer link figures, the sync layer's figures, a history of snapshot sizes,
 * and the network conditioner's sliders, to feel prediction and interpolation at work, and a box
 * that forces every link through TURN at once (no reload), and "Save report" (a stats dump to
 * open in /report.html). Its controls never keep the keyboard:
 * each lets go of focus once used, so WASD moves the player again, not a slider.
 */
import { CONDITION_LIMITS, type NetConditions } from '../conditions.js';
import type { NetFigures, PeerNet } from '../net.js';
import { fill, h, setText } from './dom.js';

export interface NetgraphModel {
  peers: readonly (PeerNet & { name: string })[];
  net: NetFigures;
  relay: boolean;
  role: string;
}

/**
 * The sliders start at `initial`, the conditions in effect (the URL's `lag=`, `jitter=`, `loss=`);
 * moving one passes all three to `actions.conditions`.
 */
export function createNetgraph(
  initial: NetConditions,
  actions: { conditions(c: NetConditions): void; relay(on: boolean): void; saveReport(): void },
) {
  const table = h('table');
  const kv = h('div.kv');
  const role = h('span.muted');
  const graph = h('canvas', { width: 340, height: 44 });
  const history: number[] = [];
  /** A control gives the keyboard back to the game once the pointer lets go of it or its value is set. */
  const letGo = (input: HTMLInputElement): void => {
    for (const type of ['change', 'pointerup']) input.addEventListener(type, () => input.blur());
  };
  const conditions: NetConditions = { ...initial };
  // Steps of 1, so a slider shows any whole value the URL sets.
  const slider = (label: string, max: number, value: number, unit: string, set: (v: number) => void) => {
    const out = h('span', {}, `${value}${unit}`);
    const input = h('input', { type: 'range', min: 0, max, step: 1, value });
    input.addEventListener('input', () => {
      const v = Number(input.value);
      setText(out, `${v}${unit}`);
      set(v);
      actions.conditions({ ...conditions });
    });
    letGo(input);
    return h('label', {}, h('span', {}, label), input, out);
  };
  const relay = h('input', { type: 'checkbox' });
  relay.addEventListener('change', () => actions.relay(relay.checked));
  letGo(relay);
  // The last minutes of every link's stats as a JSON file (docs/stats-dump.md), for /report.html.
  const save = h('button.small', { type: 'button', testid: 'save-report' }, 'Save report');
  save.addEventListener('click', () => {
    save.blur();
    actions.saveReport();
  });

  const el = h(
    'div.netgraph.panel',
    { style: 'display:none' },
    h('h3', {}, 'Netgraph ', role),
    table,
    h('div.sep'),
    kv,
    graph,
    h('div.sep'),
    slider('latency', CONDITION_LIMITS.latencyMs, conditions.latencyMs, ' ms', (v) => (conditions.latencyMs = v)),
    slider('jitter', CONDITION_LIMITS.jitterMs, conditions.jitterMs, ' ms', (v) => (conditions.jitterMs = v)),
    slider(
      'loss',
      CONDITION_LIMITS.lossPercent,
      Math.round(conditions.loss * 100),
      ' %',
      (v) => (conditions.loss = v / 100),
    ),
    h('label', {}, h('span', {}, 'force TURN'), relay, h('span')),
    save,
  );

  function drawHistory(): void {
    const ctx = graph.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, graph.width, graph.height);
    const max = Math.max(64, ...history);
    ctx.strokeStyle = '#35e0c1';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    history.forEach((v, i) => {
      const x = (i / 119) * graph.width;
      const y = graph.height - 2 - (v / max) * (graph.height - 6);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    ctx.fillStyle = '#8d9bb8';
    ctx.font = '10px ui-monospace, monospace';
    ctx.fillText(`snapshot bytes (max ${Math.round(max)})`, 4, 11);
  }

  return {
    el,
    get visible() {
      return el.style.display !== 'none';
    },
    toggle(): void {
      el.style.display = el.style.display === 'none' ? '' : 'none';
    },
    render(m: NetgraphModel): void {
      if (el.style.display === 'none') return;
      setText(role, m.role);
      relay.checked = m.relay;
      fill(
        table,
        h(
          'tr',
          {},
          h('th', {}, 'peer'),
          h('th', {}, 'rtt'),
          h('th', {}, 'loss'),
          h('th', {}, 'kbps in/out'),
          h('th', {}, 'path'),
        ),
        ...m.peers.map((p) =>
          h(
            'tr',
            {},
            h('td', {}, p.name.slice(0, 10)),
            h('td', {}, p.rttMs === null ? '…' : `${Math.round(p.rttMs)}`),
            h('td', {}, `${(p.lossRate * 100).toFixed(1)}%`),
            h('td', {}, `${Math.round(p.kbpsIn)}/${Math.round(p.kbpsOut)}`),
            h('td', {}, p.link === 'connected' ? p.candidateType : (p.link ?? 'signaling')),
          ),
        ),
      );
      const n = m.net;
      const ms = (v: number | null) => (v === null ? '…' : `${v.toFixed(0)} ms`);
      fill(
        kv,
        ...[
          // Where a key's time goes before the others draw it: lead = one way + input wait.
          ['lead over host', `${n.tickOffsetMs.toFixed(1)} ms`],
          ['one way + input wait', `${ms(n.hostRttMs === null ? null : n.hostRttMs / 2)} + ${ms(n.inputWaitMs)}`],
          ['interpolation delay', `${n.interpDelayMs.toFixed(0)} ms`],
          ['snapshot jitter', `${n.snapshotJitterMs.toFixed(0)} ms`],
          ['snapshot bytes (avg)', n.snapshotBytesAvg.toFixed(0)],
          ['corrections', `${n.correctionsPerSec.toFixed(1)} /s`],
          ['inputs resent', String(n.inputsResent)],
        ].flatMap(([k, v]) => [h('span.muted', {}, k), h('span', {}, v)]),
      );
      history.push(n.snapshotBytesAvg);
      if (history.length > 120) history.shift();
      drawHistory();
    },
  };
}
