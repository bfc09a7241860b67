/**
 * `npm run bench:bundle [-- --json]`: what tickmesh adds to a browser game's bundle.
 *
 * Builds the fixtures of bench/bundle/fixture with Vite as production apps, against the
 * packages' built `dist` (what a consumer installs), and weighs the JavaScript that comes out,
 * raw and gzipped:
 * - the dot game (index.html: `createSession` with voice, as a newcomer writes it), whole and
 *   alone (tickmesh and its dependencies left out as externals): the difference is what tickmesh
 *   plus its dependencies cost, the figure the target is about; and each package's share (what
 *   leaving only it out saves, after tree-shaking);
 * - a module that imports one helper (schema.html: `defineSnapshotSchema`);
 * - the baseline, in the same run: the same two fixtures built against the packages as they were
 *   at `--baseline REF` (default {@link BASELINE_REF}, the tree issue 11 measured: zod on the
 *   client, msgpackr's packer, no `sideEffects` flag), checked out of git into a temporary
 *   directory and compiled there. Skipped, with a note, when git does not have that commit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Rollup } from 'vite';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixture/', import.meta.url));
/** Target of issue 11: tickmesh and its dependencies, gzipped, in a game with createSession and voice. */
const TARGET_GZIP_BYTES = 35 * 1024;
const PACKAGES = ['@tickmesh/netcode', '@tickmesh/protocol', 'msgpackr', 'zod'] as const;
/** The tree before issue 11's bundle work (its figures: 66 KB gzip for a small game, zod 45% of it). */
const BASELINE_REF = 'bc1d7f6';

interface Weight {
  raw: number;
  gzip: number;
}

interface WeighOptions {
  /** The fixture page: the dot game, or the one-helper module. */
  page?: 'index.html' | 'schema.html';
  /** Packages left out of the bundle (their imports kept). */
  external?: readonly string[];
  /** Build against this `@tickmesh/netcode` entry file instead of the workspace's (the baseline). */
  netcodeEntry?: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function weigh(options: WeighOptions = {}): Promise<Weight> {
  const external = options.external ?? [];
  const output = (await build({
    root: fixture,
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      target: 'es2022',
      modulePreload: false,
      reportCompressedSize: false,
      rollupOptions: {
        input: `${fixture}${options.page ?? 'index.html'}`,
        external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)),
      },
    },
    ...(options.netcodeEntry ? { resolve: { alias: { '@tickmesh/netcode': options.netcodeEntry } } } : {}),
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const outputs = Array.isArray(output) ? output : [output];
  const chunks = outputs.flatMap((o) => o.output).filter((f): f is Rollup.OutputChunk => f.type === 'chunk');
  const code = chunks.map((c) => c.code).join('\n');
  return { raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length };
}

/**
 * Checks `ref`'s protocol and netcode packages out of git into a temporary directory, beside a
 * node_modules of links to the repo's own dependencies, and compiles them; returns netcode's
 * built entry and a cleanup, or null when git does not have `ref` (a shallow clone).
 */
function checkOut(ref: string): { entry: string; remove(): void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'tickmesh-bundle-baseline-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const paths = ['tsconfig.base.json', 'packages/protocol', 'packages/netcode'];
    const tar = execFileSync('git', ['archive', ref, ...paths], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
  } catch {
    remove();
    return null;
  }
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@tickmesh'), { recursive: true });
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name !== '@tickmesh' && name !== '.bin') symlinkSync(join(repoRoot, 'node_modules', name), join(modules, name));
  }
  for (const name of ['protocol', 'netcode'])
    symlinkSync(join(dir, 'packages', name), join(modules, '@tickmesh', name));
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-b', 'packages/protocol', 'packages/netcode'], { cwd: dir, stdio: 'inherit' });
  return { entry: join(dir, 'packages', 'netcode', 'dist', 'index.js'), remove };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const minus = (a: Weight, b: Weight): Weight => ({ raw: a.raw - b.raw, gzip: a.gzip - b.gzip });

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, baseline: { type: 'string', default: BASELINE_REF } },
  });
  log('building the packages (tsc -b)');
  execFileSync('npx', ['tsc', '-b', 'packages/protocol', 'packages/netcode'], { cwd: repoRoot, stdio: 'inherit' });
  log('building the fixtures with Vite');
  const whole = await weigh();
  const gameOnly = await weigh({ external: PACKAGES });
  const tickmesh = minus(whole, gameOnly);
  const shares: Record<string, Weight> = {};
  for (const name of PACKAGES) shares[name] = minus(whole, await weigh({ external: [name] }));
  const oneHelper = await weigh({ page: 'schema.html' });
  log(`building the baseline: the packages at ${values.baseline}`);
  const old = checkOut(values.baseline);
  let baseline: { ref: string; tickmesh: Weight; oneHelper: Weight } | null = null;
  if (old) {
    try {
      const oldWhole = await weigh({ netcodeEntry: old.entry });
      const oldHelper = await weigh({ page: 'schema.html', netcodeEntry: old.entry });
      baseline = { ref: values.baseline, tickmesh: minus(oldWhole, gameOnly), oneHelper: oldHelper };
    } finally {
      old.remove();
    }
  }
  const pass = tickmesh.gzip <= TARGET_GZIP_BYTES;

  if (values.json) {
    const target = { gzipBytes: TARGET_GZIP_BYTES, pass };
    const result = { whole, gameOnly, tickmesh, shares, oneHelper, baseline, target };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const was = (w: Weight | undefined) =>
    w === undefined ? '' : `baseline ${baseline?.ref}: ${kb(w.raw)} / ${kb(w.gzip)}`;
  const row = (label: string, w: Weight, note = '') =>
    `  ${label.padEnd(44)}${kb(w.raw).padStart(10)}${kb(w.gzip).padStart(11)}  ${note}`;
  const lines = [
    'a dot game with createSession and voice, built by Vite (minified, one file)',
    `  ${''.padEnd(44)}${'raw'.padStart(10)}${'gzip'.padStart(11)}`,
    row('whole game', whole),
    row('the game alone', gameOnly),
    row('tickmesh and its dependencies', tickmesh, was(baseline?.tickmesh)),
    '  share of each package (what leaving it out saves)',
    ...PACKAGES.map((name) => row(`    ${name}`, shares[name] as Weight)),
    'a module importing only defineSnapshotSchema',
    row('  the module, bundled', oneHelper, was(baseline?.oneHelper)),
    ...(baseline ? [] : [`  (no baseline: git has no commit ${values.baseline} here)`]),
    '',
    'target',
    `  tickmesh and its dependencies, gzip   <= ${kb(TARGET_GZIP_BYTES)}   ${kb(tickmesh.gzip)}   ${pass ? 'PASS' : 'FAIL'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

process.exitCode = await main();
