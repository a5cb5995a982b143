#!/usr/bin/env node
// The `weft` command. Each subcommand is one entry of `commands`. The examples
// run as child processes: built (dist/examples/*.js) with plain `node` when
// the command itself is built, as in an installed package, which need not
// have tsx; from their TypeScript sources under the tsx preload otherwise
// (a source checkout), so that the threads they start load TypeScript too.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../internal/package-url.js';

const EXAMPLES = new URL('examples/', PACKAGE_ROOT);
const BUILT_EXAMPLES = new URL('dist/examples/', PACKAGE_ROOT);
const BUILT = import.meta.url.endsWith('.js');
const TSX_PRELOAD = new URL('scripts/register-tsx.mjs', PACKAGE_ROOT);
/** An example that runs longer than this is stopped and counted as failed. */
const EXAMPLE_TIMEOUT_MS = 120_000;

interface Command {
  readonly usage: string;
  readonly summary: string;
  /** Runs the command; resolves to the process exit code. */
  readonly run: (args: readonly string[]) => number | Promise<number>;
}

const commands: Readonly<Record<string, Command>> = {
  tour: {
    usage: 'weft tour',
    summary: "run every example of the seeds' concurrency ideas, one after another (minutes)",
    run: () => tour(),
  },
  example: {
    usage: 'weft example NAME',
    summary: 'run one example (see the list below)',
    run: ([name]) => example(name),
  },
  bench: {
    usage: 'weft bench [--scale S] [--workers N] [--json] [--python]',
    summary: "time the seeds' CPU-bound workloads: linear, async, threads, processes",
    run: async (args) => (await import('./bench.js')).runBench([...args]),
  },
};

function usage(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return [
    "weft: Python's concurrency toolbox for TypeScript, with real threads.",
    '',
    'Usage:',
    ...lines,
    `  ${'weft --help'.padEnd(width)}  show this help`,
    `  ${'weft --version'.padEnd(width)}  print weft's version`,
    '',
    `Examples: ${exampleNames().join(', ') || '(none found)'}`,
  ].join('\n');
}

function exampleNames(): string[] {
  if (!existsSync(EXAMPLES)) return [];
  return readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

/** The first paragraph of an example's header comment: what it shows and which seed it ports. */
function title(name: string): string {
  const lines = readFileSync(new URL(`${name}.ts`, EXAMPLES), 'utf8').split('\n');
  const end = lines.findIndex((line) => !/^\/\/\s*\S/.test(line));
  return lines
    .slice(0, end === -1 ? lines.length : end)
    .map((line) => line.replace(/^\/\/\s*/, ''))
    .join(' ');
}

/** Runs one example with inherited stdio; returns its exit code. */
function runExample(name: string): number {
  const args = BUILT
    ? [fileURLToPath(new URL(`${name}.js`, BUILT_EXAMPLES))]
    : ['--import', TSX_PRELOAD.href, fileURLToPath(new URL(`${name}.ts`, EXAMPLES))];
  const result = spawnSync(process.execPath, args, {
    cwd: fileURLToPath(PACKAGE_ROOT),
    stdio: 'inherit',
    timeout: EXAMPLE_TIMEOUT_MS,
  });
  if (result.error !== undefined) {
    process.stderr.write(`weft: example ${name} did not finish: ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

function tour(): number {
  const names = exampleNames();
  const failed: string[] = [];
  const started = performance.now();
  process.stdout.write(
    `weft tour: ${names.length} examples, one after another; this takes a few minutes.\n`,
  );
  names.forEach((name, i) => {
    const elapsed = Math.round((performance.now() - started) / 1000);
    process.stdout.write(
      `\n=== [${i + 1}/${names.length}, ${elapsed} s] ${name}: ${title(name)}\n\n`,
    );
    if (runExample(name) !== 0) failed.push(name);
  });
  process.stdout.write(
    failed.length === 0
      ? `\nTour done: ${names.length} examples ran.\n`
      : `\nTour done: ${failed.length} of ${names.length} examples failed: ${failed.join(', ')}\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

function example(name: string | undefined): number {
  const names = exampleNames();
  const wanted = name?.replace(/\.ts$/, '');
  if (wanted === undefined || !names.includes(wanted)) {
    process.stderr.write(
      `${wanted === undefined ? 'weft example: missing NAME' : `weft example: no example named \`${wanted}\``}\n` +
        `Examples: ${names.join(', ')}\n`,
    );
    return 2;
  }
  return runExample(wanted);
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    process.stderr.write(
      `${name === undefined ? 'weft: missing command' : `weft: unknown command \`${name}\``}\n\n${usage()}\n`,
    );
    return 2;
  }
  return command.run(args);
}

process.exitCode = await main(process.argv.slice(2));
