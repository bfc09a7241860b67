/**
 * The lobby server's own account of a window, read from its Prometheus `/metrics` (text format
 * 0.0.4: `name{label="value",...} number` lines): how many refusals each limit made, why it closed
 * connections, which errors it sent, and how many sessions, connections and rooms it held.
 */

/** Every sample of one scrape, by its series (`name{labels}` as printed). */
export type Samples = ReadonlyMap<string, number>;

/** What the server counted between two scrapes, and held at the second. */
export interface ServerView {
  /** `tickmesh_lobby_limit_hits_total` by limit (nonzero only). */
  limitHits: Record<string, number>;
  /** `tickmesh_lobby_server_closes_total` by reason (nonzero only). */
  closes: Record<string, number>;
  /** `tickmesh_lobby_errors_total` by code (nonzero only). */
  errors: Record<string, number>;
  rateLimitDrops: number;
  internalErrors: number;
  /** Gauges at the second scrape. */
  sessions: number;
  connections: number;
  rooms: number;
  addresses: number;
}

const SCRAPE_TIMEOUT_MS = 20_000;

/** Reads `/metrics` (a server busy with a backlog answers late: up to 20 s is waited for). */
export async function scrape(metricsUrl: string): Promise<Samples> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${metricsUrl}: HTTP ${response.status}`);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

/** The series of `name` by the value of its one label, e.g. `limit` → {conns_per_ip: 3}. */
function family(samples: Samples, name: string): Map<string, number> {
  const byLabel = new Map<string, number>();
  const prefix = `${name}{`;
  for (const [series, value] of samples) {
    if (!series.startsWith(prefix)) continue;
    const label = /="((?:[^"\\]|\\.)*)"/.exec(series)?.[1] ?? '';
    byLabel.set(label, value);
  }
  return byLabel;
}

function delta(before: Samples, after: Samples, name: string): Record<string, number> {
  const was = family(before, name);
  const out: Record<string, number> = {};
  for (const [label, value] of family(after, name)) {
    const grew = value - (was.get(label) ?? 0);
    if (grew !== 0) out[label] = grew;
  }
  return out;
}

const sumOf = (samples: Samples, name: string) => [...family(samples, name).values()].reduce((a, b) => a + b, 0);

export function viewOf(before: Samples, after: Samples): ServerView {
  const total = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  return {
    limitHits: delta(before, after, 'tickmesh_lobby_limit_hits_total'),
    closes: delta(before, after, 'tickmesh_lobby_server_closes_total'),
    errors: delta(before, after, 'tickmesh_lobby_errors_total'),
    rateLimitDrops: total('tickmesh_lobby_rate_limit_drops_total'),
    internalErrors: total('tickmesh_lobby_internal_errors_total'),
    sessions: after.get('tickmesh_lobby_sessions') ?? Number.NaN,
    connections: after.get('tickmesh_lobby_connections') ?? Number.NaN,
    rooms: sumOf(after, 'tickmesh_lobby_rooms'),
    addresses: after.get('tickmesh_lobby_addresses') ?? Number.NaN,
  };
}
