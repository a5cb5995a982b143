// Builds dist/: type declarations from tsc, JavaScript bundled by esbuild.
// Bundling matters at run time: every worker thread and child process loads
// weft's worker entry in a fresh isolate, where Node 20's ESM loader pays
// about a millisecond per module; one file per entry plus shared chunks
// makes `import 'weft/futures'` ~2.5x faster and ~6 MB lighter, and a pool
// worker ready sooner. Splitting keeps each source module in exactly one
// output file, so every entry shares one copy of weft's state (the shareable
// registry, the task context). Modules that locate weft's own files do so
// through src/internal/package-url.ts, which works in both layouts.
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});

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
// keys (shareable registry, error classes, task context, transfer marks),
// and shareable classes are loaded from the public entries above.
await build({
  ...common,
  entryPoints: ['src/futures/entry/thread-worker.ts', 'src/futures/entry/process-worker.ts'],
});
chmodSync('dist/cli/main.js', 0o755);
