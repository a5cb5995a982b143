// Benchmark dispatcher.
//
//   npm run bench                      every suite
//   npm run bench -- sync              one suite (several names allowed)
//   npm run bench -- sync --quick      a smoke run of a few seconds
//   npm run bench -- --json            JSON on stdout instead of tables
//   npm run bench -- sync --filter=wake   only suites whose title matches (regex, case-insensitive)
//
// Progress goes to stderr, results to stdout.

import { formatSuite, type BenchOptions, type SuiteModule, type SuiteResult } from './harness.js';

const suites: Record<string, () => Promise<SuiteModule>> = {
  sync: () => import('./sync.js'),
  asyncio: () => import('./asyncio.js'),
  queue: () => import('./queue.js'),
  futures: () => import('./futures.js'),
  multiprocessing: () => import('./multiprocessing.js'),
};

const usage = `usage: npm run bench -- [${Object.keys(suites).join('|')} ...] [--quick] [--json] [--filter=REGEX]`;

async function main(argv: readonly string[]): Promise<number> {
  const names: string[] = [];
  let quick = false;
  let json = false;
  let filter: RegExp | undefined;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--json') json = true;
    else if (arg.startsWith('--filter=')) filter = new RegExp(arg.slice('--filter='.length), 'i');
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(usage + '\n');
      return 0;
    } else if (arg.startsWith('-') || !(arg in suites)) {
      process.stderr.write(`Unknown argument \`${arg}\`\n${usage}\n`);
      return 2;
    } else names.push(arg);
  }
  if (names.length === 0) names.push(...Object.keys(suites));

  const results: { suite: string; result: SuiteResult }[] = [];
  const environment = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: (await import('node:os')).availableParallelism(),
    quick,
    date: new Date().toISOString(),
  };
  if (!json) {
    process.stdout.write(
      `weft benchmarks: node ${environment.node}, ${environment.platform}, ` +
        `${environment.cpus} CPUs${quick ? ', --quick (smoke run, numbers not meaningful)' : ''}\n\n`,
    );
  }
  for (const name of names) {
    const mod = await suites[name]!();
    const options: BenchOptions = {
      quick,
      selects: (title) => filter === undefined || filter.test(title),
      report: (result) => {
        results.push({ suite: name, result });
        if (!json) process.stdout.write(formatSuite(result) + '\n');
      },
    };
    await mod.run(options);
  }
  if (json) process.stdout.write(JSON.stringify({ environment, results }, null, 2) + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
