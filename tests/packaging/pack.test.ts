// The packages as a newcomer gets them from npm: the three tarballs `npm pack` makes (README,
// LICENSE, the built code and its types), installed into a fresh Vite + TypeScript app offline.
// The app's browser code (a session with voice, the /testing entry) and its server code (the
// lobby) type-check under `strict` with today's resolver and with the old `node` one, the app
// builds with Vite, and the packed lobby server starts and answers.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installApp, packWorkspaces, runIn, type Tarball } from '../helpers/consumer-app.js';

const WORKSPACES = ['packages/protocol', 'packages/netcode', 'packages/lobby-server'];
const dir = mkdtempSync(join(tmpdir(), 'tickmesh-newcomer-'));
const app = join(dir, 'app');
let tarballs: Tarball[] = [];

const tsconfig = (moduleResolution: 'bundler' | 'node') =>
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution,
      lib: ['ES2023', 'DOM'],
      types: ['node'],
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: true, // as `npm create vite` sets it (xstate's own declarations do not pass exactOptionalPropertyTypes)
    },
    include: ['src'],
  });

const MAIN = `import { createLobbyClient, createSession, defineSnapshotSchema, field, type GameDefinition, playerEntityId } from '@tickmesh/netcode';
import { conditionTransport } from '@tickmesh/netcode/testing';

const schema = defineSnapshotSchema({ dot: { x: field.fixed(1 / 16), y: field.fixed(1 / 16) } });
type Input = { dx: number };
type State = { dots: ReadonlyMap<number, { x: number; y: number }> };
const game: GameDefinition<State, Input, never, typeof schema.definition> = {
  schema,
  initialState: () => ({ dots: new Map() }),
  neutralInput: { dx: 0 },
  parseInput: (raw) => (typeof raw === 'object' && raw !== null && 'dx' in raw && typeof raw.dx === 'number' ? { dx: Math.sign(raw.dx) } : null),
  parseEvent: () => null,
  step(state, inputs, dt) {
    const dots = new Map<number, { x: number; y: number }>();
    for (const [player, input] of inputs) {
      const dot = state.dots.get(playerEntityId(player)) ?? { x: 0, y: 0 };
      dots.set(playerEntityId(player), { x: dot.x + input.dx * 100 * dt, y: dot.y });
    }
    return { dots };
  },
  toWorld: (state) => new Map([...state.dots].map(([id, fields]) => [id, { kind: 'dot' as const, fields }])),
  fromWorld: (entities) => ({ dots: new Map([...entities].map(([id, e]) => [id, { ...e.fields }])) }),
  localEntities: (_state, player) => [playerEntityId(player)],
};

const lobby = createLobbyClient({ url: \`ws://\${location.host}/lobby\`, name: 'Ann' });
const welcome = await lobby.connect();
if (welcome.ok) {
  const session = createSession({
    lobby,
    game,
    sampleInput: () => ({ dx: 1 }),
    createPeerConnection: (config) => new RTCPeerConnection(config),
    voice: { getUserMedia: (c) => navigator.mediaDevices.getUserMedia(c) },
    condition: conditionTransport,
  });
  session.setConditions({ latencyMs: 50 });
  const view = session.sync.view();
  document.title = view ? String(view.entities.size) : session.sync.status.kind;
}
`;

const SERVER = `import { startLobbyServer } from '@tickmesh/lobby-server';

const server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0 });
process.stdout.write(server.url + '\\n');
await server.close();
`;

beforeAll(() => {
  mkdirSync(app);
  execFileSync('npx', ['tsc', '-b', ...WORKSPACES], { stdio: 'inherit' });
  tarballs = packWorkspaces(dir, WORKSPACES);
  installApp(app, tarballs, ['typescript', 'vite', '@types/node'], {
    'index.html': '<!doctype html><script type="module" src="/src/main.ts"></script>\n',
    'src/main.ts': MAIN,
    'src/server.ts': SERVER,
    'tsconfig.json': tsconfig('bundler'),
    'tsconfig.node10.json': tsconfig('node'),
  });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the packed packages in a newcomer's app", () => {
  it("ship their README, LICENSE, code and types, and nothing of the repo's tests", () => {
    for (const t of tarballs) {
      const files = execFileSync('tar', ['-tzf', t.file], { encoding: 'utf8' }).split('\n');
      for (const f of [
        'package/README.md',
        'package/LICENSE',
        'package/package.json',
        'package/dist/index.js',
        'package/dist/index.d.ts',
      ]) {
        expect(files, `${t.name}: ${f}`).toContain(f);
      }
      expect(
        files.some((f) => f.includes('.test.') || f.includes('tsbuildinfo')),
        t.name,
      ).toBe(false);
    }
    const netcode = JSON.parse(readFileSync(join(app, 'node_modules/@tickmesh/netcode/package.json'), 'utf8'));
    expect(netcode).toMatchObject({ sideEffects: false, main: './dist/index.js', types: './dist/index.d.ts' });
    expect(Object.keys(netcode.exports)).toEqual(['.', './testing', './internals', './stats-dump']);
  });

  it('type-check under strict, with the bundler resolver and with the old node one', () => {
    runIn(app, process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
    runIn(app, process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node10.json']);
  });

  it('build with Vite', () => {
    runIn(app, process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
    const assets = readdirSync(join(app, 'dist', 'assets'));
    expect(assets.some((f) => f.endsWith('.js'))).toBe(true);
    expect(existsSync(join(app, 'dist', 'index.html'))).toBe(true);
  });

  it('start the packed lobby server', () => {
    // src/server.ts type-checked above; Node 20 runs it as JavaScript (the same code, minus nothing).
    const out = runIn(app, process.execPath, ['--input-type=module', '-e', SERVER]);
    expect(out).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/lobby$/m);
    const bin = runIn(app, process.execPath, ['node_modules/@tickmesh/lobby-server/bin/tickmesh-lobby.js', '--help']);
    expect(bin).toContain('--max-conns-per-ip');
  });
});
