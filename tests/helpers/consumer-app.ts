/**
 * A newcomer's app, made from the packed tarballs as npm would publish them: `npm pack` of the
 * three packages, then a temporary app that depends on the tarballs (and on Vite and TypeScript),
 * installed with `npm ci --offline`: everything comes from the npm cache the repo's own install
 * filled, so it runs inside the test's network namespace.
 *
 * Offline needs a lockfile (without one npm asks the registry for package metadata, which the
 * cache does not hold): it is cut from the repo's own package-lock.json, the entries the app's
 * dependencies reach, so the app gets the exact versions the repo is tested with.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface Tarball {
  name: string;
  version: string;
  file: string;
  dependencies: Record<string, string>;
}

/** Packs the workspace packages into `dir` (running their `prepack`); returns one tarball each. */
export function packWorkspaces(dir: string, workspaces: readonly string[]): Tarball[] {
  const out = execFileSync(
    'npm',
    ['pack', ...workspaces.flatMap((w) => ['-w', w]), '--pack-destination', dir, '--json'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const packed = JSON.parse(out) as { name: string; version: string; filename: string }[];
  const manifests = workspaces.map(
    (w) =>
      JSON.parse(readFileSync(join(repoRoot, w, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
      },
  );
  return packed.map((p) => ({
    name: p.name,
    version: p.version,
    file: join(dir, p.filename),
    dependencies: manifests.find((m) => m.name === p.name)?.dependencies ?? {},
  }));
}

/** Where node would find `name` from the package at `from` (a lockfile path), in `packages`. */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | null {
  let at = from;
  for (;;) {
    const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (at === '') return null;
    const cut = at.lastIndexOf('/node_modules/');
    at = cut < 0 ? '' : at.slice(0, cut);
  }
}

/**
 * A lockfile for an app that depends on `tarballs` and on `registryDeps` (names resolved as in
 * the repo's lockfile), with every entry they reach.
 */
function lockfileFor(tarballs: readonly Tarball[], registryDeps: readonly string[]): unknown {
  const rootLock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const source = rootLock.packages;
  const packages: Record<string, LockEntry> = {};
  const tarballNames = new Set(tarballs.map((t) => t.name));
  const queue: { from: string; name: string }[] = [];
  for (const t of tarballs) {
    const integrity = `sha512-${createHash('sha512').update(readFileSync(t.file)).digest('base64')}`;
    packages[`node_modules/${t.name}`] = {
      version: t.version,
      resolved: `file:${t.file}`,
      integrity,
      dependencies: t.dependencies,
    };
    for (const dep of Object.keys(t.dependencies)) if (!tarballNames.has(dep)) queue.push({ from: '', name: dep });
  }
  for (const name of registryDeps) queue.push({ from: '', name });
  while (queue.length > 0) {
    const { from, name } = queue.shift() as { from: string; name: string };
    const at = locate(source, from, name);
    if (at === null || packages[at]) continue;
    const entry = { ...source[at] } as LockEntry;
    if (entry.link) throw new Error(`${name} is a workspace link in the repo's lockfile; pack it instead`);
    delete entry.dev;
    // Optional dependencies for other platforms are absent from the repo's lockfile: leave them
    // out of this one too, or npm ci finds it out of step with the manifests.
    if (entry.optionalDependencies) {
      entry.optionalDependencies = Object.fromEntries(
        Object.entries(entry.optionalDependencies).filter(([dep]) => locate(source, at, dep) !== null),
      );
    }
    packages[at] = entry;
    for (const deps of [entry.dependencies, entry.optionalDependencies, entry.peerDependencies]) {
      for (const dep of Object.keys(deps ?? {})) queue.push({ from: at, name: dep });
    }
  }
  const dependencies = Object.fromEntries(tarballs.map((t) => [t.name, `file:${t.file}`]));
  const devDependencies = Object.fromEntries(
    registryDeps.map((name) => [name, source[`node_modules/${name}`]?.version ?? '*']),
  );
  packages[''] = { name: 'newcomer-app', dependencies, devDependencies } as LockEntry;
  return { name: 'newcomer-app', lockfileVersion: 3, requires: true, packages };
}

/** Writes `files` (paths relative to `dir`) and installs the app with `npm ci --offline`. */
export function installApp(
  dir: string,
  tarballs: readonly Tarball[],
  registryDeps: readonly string[],
  files: Record<string, string>,
): void {
  const lock = lockfileFor(tarballs, registryDeps) as { packages: Record<string, LockEntry> };
  const root = lock.packages[''] as LockEntry;
  const manifest = {
    name: 'newcomer-app',
    private: true,
    type: 'module',
    dependencies: root.dependencies,
    devDependencies: (root as { devDependencies?: Record<string, string> }).devDependencies,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a command in the app; throws with its output when it fails. */
export function runIn(dir: string, command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}\n${e.message}`);
  }
}
