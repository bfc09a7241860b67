/**
 * Raw HTTP for lobby server tests: requests go out with the path exactly as given (no URL
 * normalization, so `/%2e%2e/x` reaches the server as is) and without keep-alive, and Prometheus
 * text is read into numbers.
 */
import { request } from 'node:http';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to 127.0.0.1:`port` with `path` sent verbatim. */
export function httpRequest(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { connection: 'close', ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(3000, () => req.destroy(new Error(`HTTP ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export interface Health {
  ok: boolean;
  connections: number;
  rooms: number;
}

export async function getHealth(port: number): Promise<Health> {
  const res = await httpRequest(port, '/healthz');
  if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
  return JSON.parse(res.body) as Health;
}

/** Samples of a Prometheus text exposition, keyed `name` or `name{label="value",...}` as printed. */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

export async function getMetrics(port: number): Promise<Map<string, number>> {
  const res = await httpRequest(port, '/metrics');
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(res.body);
}

/** The value of one sample, 0 when absent (a counter never incremented). */
export function sample(metrics: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const entries = Object.entries(labels);
  const key = entries.length === 0 ? name : `${name}{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  return metrics.get(key) ?? 0;
}
