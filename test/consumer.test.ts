// weft as a user gets it: `npm pack`ed, unpacked into a fresh ESM project's
// node_modules, run with `tsx` (TypeScript sources, `.js` URLs, as the README
// Quick start writes them) and with plain `node` (JavaScript). Needs dist/
// (`npm run build`). Network-free: weft's dependencies and tsx are linked
// from this repository's node_modules, following package.json's
// `dependencies`, so a dependency missing from it fails here too.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_MS = 45_000;
let tmp = '';
let tarball = '';

before(() => {
  assert.ok(existsSync(join(ROOT, 'dist/index.js')), 'dist/ is missing: run `npm run build` first');
  tmp = mkdtempSync(join(tmpdir(), 'weft-consumer-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  tarball = join(tmp, (JSON.parse(out) as { filename: string }[])[0]!.filename);
});

after(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

/** A fresh project in its own directory, with weft unpacked from the tarball. */
function project(name: string, files: Record<string, string>, extra: string[] = []): string {
  const dir = join(tmp, name);
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'weft'), { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', join(modules, 'weft'), '--strip-components=1']);
  const linked = new Set<string>();
  const link = (pkg: string): void => {
    const from = join(ROOT, 'node_modules', pkg);
    if (linked.has(pkg) || !existsSync(from)) return;
    linked.add(pkg);
    mkdirSync(dirname(join(modules, pkg)), { recursive: true });
    symlinkSync(from, join(modules, pkg), 'dir');
    const meta = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies })) {
      link(dep);
    }
  };
  const weft = JSON.parse(readFileSync(join(modules, 'weft/package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dep of [...Object.keys(weft.dependencies ?? {}), ...extra]) link(dep);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }),
  );
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cwd: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The README's Quick start: its first ts block is main.ts, its second work.ts. */
function quickStart(): { 'main.ts': string; 'work.ts': string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(
    blocks.length >= 2 && /^\/\/ (@filename: )?work\.ts/.test(blocks[1]!),
    'README Quick start moved',
  );
  return { 'main.ts': blocks[0]!, 'work.ts': blocks[1]! };
}

const TSX_CLI = join('node_modules', 'tsx', 'dist', 'cli.mjs');
/** `npx tsx FILE` and `node --import tsx FILE`: tsx's two ways of running a program. */
const UNDER_TSX = [
  (file: string, flags: string[] = []) => [TSX_CLI, ...flags, file],
  (file: string, flags: string[] = []) => [...flags, '--import', 'tsx', file],
];

test('README Quick start under tsx (TS sources, .js URLs) prints 200000', async () => {
  const dir = project('quick-start', quickStart(), ['tsx']);
  for (const argv of UNDER_TSX) {
    const r = await run(dir, argv('main.ts'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '200000\n', r.stderr);
    assert.equal(r.stderr, '');
  }
});

test('README Quick start under a tsx the project does not have (npx fetches it elsewhere)', async () => {
  const dir = project('quick-start-npx', quickStart());
  assert.equal(existsSync(join(dir, 'node_modules', 'tsx')), false);
  const r = await run(dir, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'main.ts']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '200000\n', r.stderr);
});

const JOBS_TS = `import { Thread, currentThread, type Barrier } from 'weft/threading';
import { tasks } from 'weft/threading';
import type { SharedArray } from 'weft/shared';
import { twice } from '@lib/twice.js';

let offset = 0;
export function init(by: number): void { offset = by; }
export function square(n: number): number { return twice(n * n) / 2 + offset; }
export async function meet(barrier: Barrier): Promise<number> { return barrier.wait(); }
export function onBarrier(): void { console.log(\`action \${twice(21)}\`); }
export function bump(counter: SharedArray<'i'>): void { Atomics.add(counter.array, 0, twice(1)); }
export async function nested(counter: SharedArray<'i'>): Promise<void> {
  const self = tasks<typeof import('./jobs.js')>(new URL('./jobs.js', import.meta.url));
  const t = new Thread({ target: self.bump, args: [counter] });
  t.start();
  await t.join();
  Atomics.add(counter.array, 0, currentThread().name === 'outer' ? 10 : 1000);
}
`;

const EVERY_PATH_TS = `import { Barrier, Thread, setExcepthook, tasks } from 'weft/threading';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'weft/futures';
import { SharedArray } from 'weft/shared';

setExcepthook(({ excValue }) => { console.error(excValue); process.exitCode = 1; });
const jobs = tasks<typeof import('./jobs.js')>(new URL('./jobs.js', import.meta.url));
const out: Record<string, unknown> = {};
{
  await using pool = new ThreadPoolExecutor({ maxWorkers: 2, initializer: jobs.init, initargs: [100] });
  out.threadPool = [await pool.submit(jobs.square, 3)];
  for await (const r of pool.map(jobs.square, [4, 5])) (out.threadPool as number[]).push(r);
}
{
  await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  out.processPool = await pool.submit(jobs.square, 6);
}
const barrier = new Barrier(2, { action: jobs.onBarrier });
const meets = [new Thread({ target: jobs.meet, args: [barrier] }), new Thread({ target: jobs.meet, args: [barrier] })];
for (const t of meets) t.start();
for (const t of meets) await t.join();
// A Barrier of one: its action runs here, on the main thread.
await new Barrier(1, { action: jobs.onBarrier }).wait();
const counter = new SharedArray('i', 1);
const outer = new Thread({ target: jobs.nested, args: [counter], name: 'outer' });
outer.start();
await outer.join();
out.nested = counter.get(0);
console.log(JSON.stringify(out));
`;

test('under tsx, threads, both executors, Barrier actions and nested threads resolve .js → .ts and tsconfig paths', async () => {
  const dir = project(
    'every-path',
    {
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          paths: { '@lib/*': ['./lib/*'] },
        },
      }),
      'lib/twice.ts': 'export const twice = (n: number): number => 2 * n;\n',
      'jobs.ts': JOBS_TS,
      'main.ts': EVERY_PATH_TS,
    },
    ['tsx'],
  );
  // The Quick start test runs both launch styles; one is enough here.
  for (const argv of UNDER_TSX.slice(0, 1)) {
    const r = await run(dir, argv('main.ts'));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, -1), ['action 42', 'action 42'], r.stdout);
    assert.deepEqual(JSON.parse(lines.at(-1)!), {
      threadPool: [109, 116, 125],
      processPool: 36,
      nested: 12,
    });
  }
});

test('plain JS under node, also with flags an explicit worker execArgv refuses', async () => {
  const dir = project('plain-js', {
    'work.js': `export function add(counter, n) { for (let i = 0; i < n; i++) Atomics.add(counter.array, 0, 1); }
export const square = (n) => n * n;
`,
    'main.js': `import { Thread, tasks } from 'weft/threading';
import { ThreadPoolExecutor } from 'weft/futures';
import { SharedArray } from 'weft/shared';
const work = tasks(new URL('./work.js', import.meta.url));
const counter = new SharedArray('i', 1);
const threads = [1, 2, 3].map(() => new Thread({ target: work.add, args: [counter, 1000] }));
for (const t of threads) t.start();
for (const t of threads) await t.join();
const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
try {
  console.log(counter.get(0), await pool.submit(work.square, 7));
} finally {
  await pool.shutdown();
}
`,
  });
  const plain = await run(dir, ['main.js']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, '3000 49\n');
  assert.equal(plain.stderr, '');
  const flagged = await run(dir, [
    '--expose-gc',
    '--max-old-space-size=256',
    '--stack-trace-limit=20',
    'main.js',
  ]);
  assert.equal(flagged.code, 0, flagged.stderr);
  assert.equal(flagged.stdout, '3000 49\n');
  assert.equal(flagged.stderr, '');
});

test('under tsx, flags worker threads refuse are dropped from their execArgv with one warning', async () => {
  const dir = project('flags-tsx', quickStart(), ['tsx']);
  const flags = ['--expose-gc', '--max-old-space-size=256', '--stack-trace-limit=20'];
  // `node FLAGS --import tsx`: how flags reach a program run by tsx (tsx's CLI passes them on alike).
  for (const argv of UNDER_TSX.slice(1)) {
    const r = await run(dir, argv('main.ts', flags));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '200000\n');
    const warnings = r.stderr.match(/WEFT_EXEC_ARGV_DROPPED.*/g) ?? [];
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], /: --expose-gc --max-old-space-size=256 --stack-trace-limit=20$/);
  }
});

test('a task module that is missing or fails to parse is named, with the line, not weft/dist', async () => {
  const dir = project('broken', {
    'bad.js': 'export function f(a) {\n  const b = 1;\n  return a +;\n}\n',
    'modern.js': 'export function f(lock) {\n  using held = lock;\n  return 1;\n}\n',
    'main.js': `import { Thread, setExcepthook, tasks } from 'weft/threading';
import { ThreadPoolExecutor } from 'weft/futures';
const errors = [];
setExcepthook(({ excValue }) => errors.push({ via: 'Thread', code: excValue.code, name: excValue.name, stack: excValue.stack }));
const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
try {
  for (const file of ['./missing.js', './bad.js', './modern.js']) {
    const mod = tasks(new URL(file, import.meta.url));
    const t = new Thread({ target: mod.f });
    t.start();
    await t.join();
    try {
      await pool.submit(mod.f);
    } catch (e) {
      errors.push({ via: 'pool', code: e.code, name: e.name, stack: e.stack });
    }
  }
} finally {
  await pool.shutdown();
}
console.log(JSON.stringify(errors));
`,
  });
  const r = await run(dir, ['main.js']);
  assert.equal(r.code, 0, r.stderr);
  const errors = JSON.parse(r.stdout) as {
    via: string;
    code?: string;
    name: string;
    stack: string;
  }[];
  assert.deepEqual(
    errors.map((e) => `${e.via} ${e.name} ${e.code ?? ''}`),
    [
      'Thread Error ERR_MODULE_NOT_FOUND',
      'pool Error ERR_MODULE_NOT_FOUND',
      'Thread SyntaxError ',
      'pool SyntaxError ',
      'Thread SyntaxError ',
      'pool SyntaxError ',
    ],
  );
  const where = [
    join(dir, 'missing.js'),
    join(dir, 'missing.js'),
    `${join(dir, 'bad.js')}:3:13`,
    `${join(dir, 'bad.js')}:3:13`,
    `${join(dir, 'modern.js')}:2:9`,
    `${join(dir, 'modern.js')}:2:9`,
  ];
  errors.forEach((e, i) => {
    assert.ok(e.stack.includes(where[i]!), `${where[i]} not in ${e.stack}`);
    assert.doesNotMatch(e.stack.split('\n    at ')[0]!, /node_modules[/\\]weft/);
  });
});

test('`weft --version`, `weft example` and the start of `weft tour` run in a project without tsx', async () => {
  const dir = project('cli', {});
  const cli = join('node_modules', 'weft', 'dist', 'cli', 'main.js');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const version = await run(dir, [cli, '--version']);
  assert.equal(version.stdout, `${pkg.version}\n`);
  for (const [name, expected] of [
    ['counter', /LockingCounter: should be 100000, found 100000/],
    ['semaphore', /\S/],
  ] as const) {
    const r = await run(dir, [cli, 'example', name]);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, expected);
    assert.doesNotMatch(r.stderr, /tsx/);
  }
  // The tour takes minutes: only its announcement and first progress line are checked.
  const tour = spawn(process.execPath, [cli, 'tour'], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let head = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tour printed only: ${head}`)), TIMEOUT_MS);
      tour.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        head += chunk;
        if (/=== \[1\/\d+, \d+ s\] /.test(head)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    process.kill(-tour.pid!, 'SIGKILL');
  }
  assert.match(head, /^weft tour: \d+ examples, one after another; this takes a few minutes\.\n/);
});

test('the tarball ships LICENSE, README, the built package and built examples', () => {
  const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
  for (const file of [
    'package/LICENSE',
    'package/README.md',
    'package/dist/index.js',
    'package/dist/cli/main.js',
    'package/dist/examples/counter.js',
  ]) {
    assert.ok(files.includes(file), `${file} missing from the tarball`);
  }
});
