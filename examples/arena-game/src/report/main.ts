/**
 * The report viewer (`/report.html`): a developer drops one or more stats dumps (the netgraph's
 * "Save report", docs/stats-dump.md) and sees, per dump, the saving page's sync figures and per
 * peer its link figures over time, one uPlot chart each (figures.ts says which). Nothing leaves
 * the page: files are read locally.
 */
import 'uplot/dist/uPlot.min.css';
import { parseStatsDump } from '@tickmesh/netcode/stats-dump';
import uPlot from 'uplot';
import { fill, h } from '../ui/dom.js';
import { type Plot, sectionsOf } from './figures.js';

const COLORS = ['#35e0c1', '#ffb547', '#8fa8ff', '#ff5d73'];
const WIDTH = 460;
const HEIGHT = 170;
/** A state drawn as steps: each value holds until the next sample. */
const steps = uPlot.paths.stepped?.({ align: 1 });

const input = h('input', { type: 'file', accept: 'application/json,.json', multiple: true, testid: 'report-file' });
const status = h('p.status', {}, 'Drop a report (.json) here, or choose one.');
const out = h('main');
document.body.append(
  h('header', {}, h('h1', {}, 'tickmesh report viewer'), h('label.pick', {}, 'Choose report files ', input), status),
  out,
);

function chart(plot: Plot, into: HTMLElement): void {
  const data: uPlot.AlignedData = [plot.times, ...plot.series.map((s) => s.values)];
  const levels = plot.levels;
  new uPlot(
    {
      title: plot.unit ? `${plot.title} (${plot.unit})` : plot.title,
      width: WIDTH,
      height: HEIGHT,
      scales: levels ? { y: { range: [0, levels.length - 1] } } : {},
      axes: [
        { stroke: '#8d9bb8', grid: { stroke: '#26324d' } },
        {
          stroke: '#8d9bb8',
          grid: { stroke: '#26324d' },
          size: levels ? 78 : 50,
          ...(levels ? { splits: () => levels.map((_, i) => i), values: () => [...levels] } : {}),
        },
      ],
      series: [
        {},
        ...plot.series.map((s, i) => ({
          label: s.label,
          stroke: COLORS[i % COLORS.length] as string,
          width: 1.5,
          spanGaps: false,
          ...(s.stepped && steps ? { paths: steps } : {}),
        })),
      ],
    },
    data,
    into,
  );
}

async function show(files: readonly File[]): Promise<void> {
  fill(out);
  const problems: string[] = [];
  let shown = 0;
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch {
      problems.push(`${file.name}: not JSON`);
      continue;
    }
    const parsed = parseStatsDump(json);
    if (!parsed.ok) {
      problems.push(`${file.name}: not a tickmesh stats dump (${parsed.issues.slice(0, 3).join('; ')})`);
      continue;
    }
    const dump = parsed.dump;
    const article = h(
      'article',
      { dataset: { file: file.name } },
      h(
        'h2',
        {},
        `${dump.self.name ?? dump.self.peerId ?? 'A page'}, saved ${new Date(dump.createdAt).toLocaleString()}`,
      ),
      h('p.muted', {}, `${file.name}; peer id ${dump.self.peerId ?? 'none'}`),
      h(
        'p.muted',
        {},
        `${dump.counters.samples} samples, every ${dump.window.sampleIntervalMs} ms; ${dump.userAgent ?? ''}`,
      ),
    );
    out.append(article);
    for (const section of sectionsOf(dump)) {
      const plots = h('div.plots');
      article.append(h('section', { dataset: { peer: section.peerId } }, h('h3', {}, section.title), plots));
      for (const plot of section.plots) {
        // How many values it draws, for a glance in the DOM (and the browser test).
        const values = plot.series.reduce((n, series) => n + series.values.filter((v) => v !== null).length, 0);
        const box = h('div.plot', { dataset: { figure: plot.figure, values: String(values) } });
        plots.append(box);
        chart(plot, box);
      }
    }
    shown++;
  }
  status.textContent = problems.length > 0 ? problems.join('\n') : `${shown} report${shown === 1 ? '' : 's'} shown.`;
  status.classList.toggle('bad', problems.length > 0);
}

input.addEventListener('change', () => void show(Array.from(input.files ?? [])));
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  void show(Array.from(e.dataTransfer?.files ?? []));
});
