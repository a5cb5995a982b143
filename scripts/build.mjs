// Builds dist/: type declarations from tsc, JavaScript bundled by esbuild.
// Bundling matters at run time: every worker thread and child process loads
// weft's worker entry in a fresh isolate, where Node 20's ESM loader pays
// about a millisecond per module; one file per entry plus shared chunks
// makes `import 'weft/futures'` ~2.5x faster and ~6 MB lighter, and a pool
// worker ready sooner. Splitting keeps each source module in exactly one
// output file, so every entry shares one copy of weft's state (the shareable
// registry, the task context). Modules that locate weft's own files do so
// through src/internal/package-url.ts, which works in both layouts.
//
// The examples are compiled too (dist/examples/*.js, one file each, weft
// imported by its package name): `weft example` and `weft tour` run them with
// plain `node` in a project that installed weft without tsx.
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const started = performance.now();
/** One line per step on stderr, so a slow machine shows where the time goes. */
function step(what) {
  process.stderr.write(`build: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

rmSync('dist', { recursive: true, force: true });
step('type declarations (tsc)…');
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
step('bundling the JavaScript (esbuild)…');

// Public entries (package.json exports), every module started as a worker or
// imported by URL, and the command.
const entries = [
  ...readdirSync('src')
    .filter((d) => statSync(join('src', d)).isDirectory())
    .map((d) => `src/${d}/index.ts`)
    .filter((f) => statSync(f, { throwIfNoEntry: false })),
  'src/index.ts',
  'src/threading/entry/thread.ts',
  'src/queue/entry/directory.ts',
  'src/multiprocessing/entry/server.ts',
  'src/multiprocessing/entry/io.ts',
  'src/multiprocessing/child.ts',
  'src/cli/main.ts',
  'src/cli/bench-tasks.ts',
];

const common = {
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Class and function names are part of the API (error names, inspect output).
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: entries,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
// A pool worker's entry is one file: it starts in every fresh worker. Its
// copies of the worker loop's modules are harmless, since what they share
// with the task's own imports of weft lives on globalThis under Symbol.for
// keys (src/internal/globals.ts). The shareable classes are another matter
// (a copy of Lock is not the Lock a task imports): the entries load them
// with `import('../../threading/index.js')` and the like
// (src/futures/entry/revivers.ts), kept external here, so they resolve to
// the public modules built above (dist/ mirrors src/, so the relative path
// holds). A Process child's runtime (multiprocessing/child.js) likewise: a
// Process subclass in the user's module extends the public Process.
const PUBLIC_MODULE =
  /^\.\.\/\.\.\/((threading|shared|queue|multiprocessing)\/index|multiprocessing\/child)\.js$/;
await build({
  ...common,
  entryPoints: ['src/futures/entry/thread-worker.ts', 'src/futures/entry/process-worker.ts'],
  plugins: [
    {
      name: 'weft-public-modules',
      setup(b) {
        b.onResolve({ filter: PUBLIC_MODULE }, (args) => {
          if (!args.importer.includes('/src/futures/entry/')) return undefined;
          return { path: args.path, external: true };
        });
      },
    },
  ],
});
step('compiling the examples…');
await build({
  entryPoints: readdirSync('examples')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => `examples/${f}`),
  outdir: 'dist/examples',
  format: 'esm',
  platform: 'node',
  // node20: esbuild lowers `using`, which Node 20 cannot parse.
  target: 'node20',
  keepNames: true,
  logLevel: 'warning',
});
chmodSync('dist/cli/main.js', 0o755);
step('done');
