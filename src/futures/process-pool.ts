import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { argTypeError, describe } from '../internal/errors.js';
import { setLongTimeout } from '../internal/timer.js';
import { checkInt, checkOptions } from '../internal/validate.js';
import { childExecArgv } from '../internal/exec-argv.js';
import type { LinkEvents, Transport, WorkerLink } from './lane.js';
import { LedgerReader } from './ledger.js';
import { PoolExecutor, type PoolOptions } from './pool-executor.js';
import type { WorkerInit } from './protocol.js';
import { weftModule } from '../internal/package-url.js';

/** Options of a {@link ProcessPoolExecutor}. */
export interface ProcessPoolOptions extends PoolOptions {
  /** Tasks a child runs before it is replaced by a fresh one. @default Infinity */
  readonly maxTasksPerChild?: number;
  /** Node options of the children. @default process.execArgv without `--inspect*` and without inline code (`-e`, `-p`, `--input-type`) */
  readonly execArgv?: readonly string[];
  /** Environment of the children. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Ms a child asked to exit has before it is killed with SIGKILL. @default 5000 */
  readonly killTimeout?: number;
}

const ENTRY = fileURLToPath(weftModule('futures/entry/process-worker'));
/** Ms after a child's exit to wait for the rest of its results and ledger if its pipes stay open. */
const EXIT_DRAIN_MS = 1000;
// Loaded on first use: importing weft/futures for threads alone should not
// pay for node:child_process (~0.7 MB RSS).
let cp: typeof import('node:child_process') | undefined;
const childProcess = (): typeof import('node:child_process') =>
  (cp ??= createRequire(import.meta.url)(
    'node:child_process',
  ) as typeof import('node:child_process'));

class ProcessTransport implements Transport {
  readonly shared = false;
  readonly needsReady = true;
  constructor(
    readonly execArgv: readonly string[],
    readonly env: NodeJS.ProcessEnv | undefined,
    readonly killTimeout: number,
  ) {}

  spawn(_init: WorkerInit, events: LinkEvents): WorkerLink {
    const child: ChildProcess = childProcess().fork(ENTRY, [String(process.pid)], {
      execArgv: [...this.execArgv],
      ...(this.env === undefined ? {} : { env: this.env }),
      serialization: 'advanced',
      // The child writes straight to our stdout/stderr: prompt, and in order
      // per child. fd 4 is its ledger: the tasks it takes and their results (ledger.ts).
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
    });
    let exited = false;
    let reported = false;
    let code: number | undefined;
    let signal: string | undefined;
    const reader = new LedgerReader();
    const results = (message: unknown[] | undefined): void => {
      if (message !== undefined && !reported) events.message(message);
      // Not a ledger: a task wrote to fd 4 itself. The child can no longer be trusted.
      if (reader.corrupt) kill();
    };
    const ledger = child.stdio[4] as Socket;
    ledger.on('data', (chunk: Buffer) => results(reader.data(chunk)));
    ledger.on('error', () => {});
    ledger.unref();
    // The pool decides which tasks died with the child from its results and
    // its ledger, so it is told only once both are read to the end ('close').
    // A grandchild that inherited the pipes can hold them open: then the
    // bytes already written are read by EXIT_DRAIN_MS after 'exit'.
    const report = (): void => {
      if (reported) return;
      reported = true;
      events.exit({ code, signal, begun: reader.begun });
    };
    child.on('message', (message: unknown) => {
      if (!reported) events.message(message);
    });
    child.on('error', () => {
      // A failed spawn or send; 'exit' (or its absence) tells the pool.
    });
    child.on('exit', (c, s) => {
      exited = true;
      code = c ?? undefined;
      signal = s ?? undefined;
      setTimeout(report, EXIT_DRAIN_MS).unref();
    });
    child.on('close', report);
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    const kill = (): void => {
      if (!exited) child.kill('SIGKILL');
    };
    return {
      id: child.pid ?? -1,
      post: (message) => {
        if (child.connected) child.send(message as never);
      },
      terminate: kill,
      close: () => {
        if (child.connected) child.send({ t: 'exit' });
        else kill();
        setLongTimeout(kill, this.killTimeout).unref();
      },
    };
  }
}

/**
 * Runs tasks in a pool of child processes (each a separate Node process):
 * Python's `concurrent.futures.ProcessPoolExecutor`. Use it for isolation
 * (a crash, a leak or `process.exit()` cannot touch the parent) or for code
 * that is not thread-safe; for plain parallelism a `ThreadPoolExecutor` is
 * cheaper (a thread worker costs ~10 MB, a child process ~45 MB).
 *
 * Arguments and results are copied (V8 serialization over IPC); shareables
 * cannot cross (a `TypeError` `ERR_SHAREABLE_PROCESS`). As in Python, a task
 * sent to a child counts as running: `cancel()` succeeds only while it waits
 * in the pool's own queue. A child's stdout and stderr are the parent's.
 * Lifetime as for `ThreadPoolExecutor`: the pool keeps Node alive only while
 * it has unfinished tasks.
 *
 * @example
 * ```ts
 * import { ProcessPoolExecutor, tasks } from 'weft/futures';
 * const work = tasks<typeof import('./work.js')>(new URL('./work.js', import.meta.url));
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 2, maxTasksPerChild: 100 });
 * console.log(await pool.submit(work.gcd, 1231312, 434344));
 * ```
 */
export class ProcessPoolExecutor extends PoolExecutor {
  constructor(options: ProcessPoolOptions = {}) {
    checkOptions(options, 'new ProcessPoolExecutor(options)', '{ maxWorkers: 4 }');
    const { maxTasksPerChild, execArgv, env, killTimeout } = options;
    const budget =
      maxTasksPerChild === undefined ? Infinity : checkInt(maxTasksPerChild, 'maxTasksPerChild', 1);
    if (execArgv !== undefined && !Array.isArray(execArgv)) {
      throw argTypeError(
        `Expected \`execArgv\` to be an array of strings, got ${describe(execArgv)}`,
      );
    }
    const args = execArgv ?? childExecArgv(process.execArgv);
    super(options, {
      kind: 'ProcessPoolExecutor',
      transport: new ProcessTransport(
        args,
        env,
        killTimeout === undefined ? 5000 : checkInt(killTimeout, 'killTimeout', 0),
      ),
      maxTasksPerWorker: budget,
    });
  }
}
