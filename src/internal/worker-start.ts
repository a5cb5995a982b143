// Starts the worker threads weft owns (a Thread's, a ThreadPoolExecutor's)
// with the Node flags they accept, and tells them whether the program runs
// under tsx (task-load.ts then registers tsx in the worker).

import { Worker, type WorkerOptions } from 'node:worker_threads';
import { LOADER_KEY, typeScriptLoader } from './task-load.js';

/**
 * `new Worker(entry, options)` with weft's `execArgv` and the parent's
 * TypeScript loader added to `workerData` (an object).
 *
 * Threads get this process's `execArgv` minus a TypeScript loader when the
 * entry is compiled JavaScript: a worker does not run `--import tsx` on Node
 * 20 anyway, and merely loading it costs 150–350 ms of CPU per thread;
 * task-load.ts registers tsx inside the thread instead, when needed.
 *
 * An explicit `execArgv` is validated by Node, which refuses per-process and
 * V8 flags (`--expose-gc`, `--max-old-space-size=…`, `--title=…`) with
 * `ERR_WORKER_INVALID_EXEC_ARGV`, while an inherited one is not: those flags
 * are dropped, once, with a warning naming them.
 */
export function startWorker(
  entry: URL,
  options: Omit<WorkerOptions, 'workerData' | 'execArgv'> & {
    readonly workerData: Record<string, unknown>;
  },
): Worker {
  const loader = typeScriptLoader();
  const workerData: Record<string, unknown> =
    loader === undefined ? options.workerData : { ...options.workerData, [LOADER_KEY]: loader };
  chosen ??= initialExecArgv(entry);
  for (;;) {
    const argv = chosen;
    try {
      return new Worker(entry, { ...options, workerData, ...argvOption(argv) });
    } catch (error) {
      // Node throws before starting the thread: nothing to clean up.
      if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || argv === INHERIT)
        throw error;
      chosen = withoutRefused(argv, error as Error);
    }
  }
}

/** Leave `execArgv` out: the worker inherits this thread's options, unvalidated. */
const INHERIT = Symbol('inherit');
let chosen: readonly string[] | typeof INHERIT | undefined;

function argvOption(argv: readonly string[] | typeof INHERIT): { execArgv?: string[] } {
  return argv === INHERIT ? {} : { execArgv: [...argv] };
}

function initialExecArgv(entry: URL): readonly string[] | typeof INHERIT {
  if (!entry.pathname.endsWith('.js')) return INHERIT;
  const argv = withoutTsx(process.execArgv);
  return argv.length === process.execArgv.length ? INHERIT : argv;
}

/**
 * `argv` without the flags Node listed as refused ("…invalid execArgv flags:
 * --a, --b=1"), warning once. When the list cannot be matched, inherit
 * instead: the worker then runs with every flag (and a loader, if any).
 */
function withoutRefused(argv: readonly string[], error: Error): readonly string[] | typeof INHERIT {
  const listed = /:\s*(.*)$/s.exec(error.message)?.[1]?.split(', ') ?? [];
  const refused = new Set(listed.filter((flag) => argv.includes(flag)));
  if (refused.size === 0) return INHERIT;
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!refused.has(arg)) {
      kept.push(arg);
      continue;
    }
    dropped.push(arg);
    // `--flag value`: the value goes with the flag.
    const next = argv[i + 1];
    if (!arg.includes('=') && next !== undefined && !next.startsWith('-')) {
      dropped.push(next);
      i++;
    }
  }
  process.emitWarning(
    `Worker threads refuse these Node flags, so weft starts its threads without them: ${dropped.join(' ')}`,
    { code: 'WEFT_EXEC_ARGV_DROPPED' },
  );
  return kept;
}

function withoutTsx(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^(--import|--require|-r|--loader|--experimental-loader)(=.*)?$/.exec(arg);
    const takesValue = m !== null && m[2] === undefined;
    const value = m === null ? arg : takesValue ? (argv[i + 1] ?? '') : m[2]!;
    if (m !== null && /tsx/.test(value)) {
      if (takesValue) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}
