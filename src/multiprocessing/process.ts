// Python's multiprocessing.Process over the process pool's child runtime:
// the same entry file (futures/entry/process-worker), started ahead of time
// as a warm spare, so start() costs a message instead of a Node start-up.
// The child runs the target (or a subclass's run()), prints an escaping
// error as Python prints a traceback, and exits 0 or 1.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pack, packedOnly, PROCESS_SAFE, type SharedTable } from '../internal/codec.js';
import { argTypeError, codedError, StateError, describe } from '../internal/errors.js';
import type { AnyFunction, FunctionOf, Target, TaskSpec } from '../internal/task-ref.js';
import { toTaskSpec } from '../internal/task-ref.js';
import { checkOptions, checkTimeout, WAIT_SYNC_FORM } from '../internal/validate.js';
import { deadlineOf, remaining } from '../internal/wait.js';
import { childExecArgv } from '../internal/exec-argv.js';
import { weftModule } from '../internal/package-url.js';
import {
  restoreFields,
  subclassData,
  type SubclassData,
  type SubclassKind,
} from '../internal/subclass.js';
import { setLongTimeout, type LongTimer } from '../internal/timer.js';

/** Options of a {@link Process}. */
export interface ProcessOptions<T extends Target> {
  /** What the process runs: a task reference (`tasks(url).name`) or a self-contained function. Required unless a subclass overrides `run()`. */
  readonly target?: T;
  /** Arguments, copied (V8 serialization); task references and Manager proxies keep working. @default [] */
  readonly args?: Readonly<Parameters<FunctionOf<T>>>;
  /** The process's name. @default `Process-N` */
  readonly name?: string;
  /** A daemon process is killed when its parent exits; a non-daemon one keeps the parent alive until it ends. @default false */
  readonly daemon?: boolean;
}

/** What the child receives to run. */
export interface ProcessRequest {
  readonly t: 'process';
  readonly spec: TaskSpec;
  /** `pack(args)`: the args, or `[args, table]` when packed. */
  readonly args: unknown;
  readonly packed: boolean;
  readonly name: string;
  readonly parentPid: number;
  readonly self?: SubclassData;
}

/** The child's report of a subclass instance's fields when run() ends. */
export interface ProcessFields {
  readonly t: 'process-fields';
  readonly fields: unknown;
  readonly table: SharedTable | undefined;
}

const ENTRY = fileURLToPath(weftModule('futures/entry/process-worker'));
let cp: typeof import('node:child_process') | undefined;
const childProcess = (): typeof import('node:child_process') =>
  (cp ??= createRequire(import.meta.url)(
    'node:child_process',
  ) as typeof import('node:child_process'));

interface Spare {
  readonly child: ChildProcess;
  ready: boolean;
  onReady: (() => void) | undefined;
}

let spare: Spare | undefined;
let counter = 0;
const live = new Set<Process>();

// A child started ahead of time; it stays unref'd (it never keeps this
// process alive) until a Process takes it.
function fork(): Spare {
  const child = childProcess().fork(ENTRY, [String(process.pid), 'process'], {
    execArgv: childExecArgv(process.execArgv),
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const made: Spare = { child, ready: false, onReady: undefined };
  const onMessage = (message: unknown): void => {
    if ((message as { t?: unknown }).t !== 'ready') return;
    child.off('message', onMessage);
    made.ready = true;
    made.onReady?.();
  };
  child.on('message', onMessage);
  child.on('error', () => {});
  child.on('exit', () => {
    if (spare === made) spare = undefined;
  });
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  return made;
}

function takeSpare(): Spare {
  const taken = spare !== undefined && spare.child.exitCode === null ? spare : fork();
  spare = undefined;
  return taken;
}

/** Starts the warm spare now, so the next `start()` needs no Node start-up. */
function warm(): void {
  if (spare === undefined) spare = fork();
}

// No child outlives this process: daemon children are killed at exit, and so
// are non-daemon ones still running if the exit was forced (process.exit()
// or an uncaught error; otherwise they kept this process alive until they
// ended). Their own watchdog covers a SIGKILL of this process.
process.on('exit', () => {
  for (const p of live) p.kill();
  spare?.child.kill('SIGKILL');
});

/**
 * A child process running a target: Python's `multiprocessing.Process`.
 * Unlike a `Thread`, it shares no memory with its parent: arguments are
 * copied, and state is shared through a `Manager` (or files, pipes, queues of
 * a Manager). Use it for isolation: a crash, a leak or `process.exit()` in
 * the child cannot touch the parent.
 *
 * weft keeps one warm spare child ready (like Python's `forkserver`), so
 * `start()` sends a message instead of starting Node (~50 ms).
 *
 * @remarks A child never outlives its parent: daemon or not, it dies within
 * about a second when the parent exits by any path, even SIGKILL. A
 * non-daemon child keeps the parent alive until it ends (Python joins them
 * at exit); a daemon child is killed when the parent exits.
 * @example
 * ```ts
 * import { Process } from 'weft/multiprocessing';
 * const p = new Process({ target: work.crunch, args: [42], name: 'cruncher' });
 * p.start();
 * await p.join();
 * console.log(p.exitCode); // 0, or 1 if crunch threw
 * ```
 */
export class Process<T extends Target = Target<AnyFunction>> implements AsyncDisposable {
  #spec: TaskSpec | undefined;
  #args: unknown[];
  #name: string;
  #daemon: boolean;
  #child: ChildProcess | undefined;
  #exitCode: number | null = null;
  #exited: Promise<void> | undefined;
  #closed = false;

  constructor(options?: ProcessOptions<T>) {
    if ((options as unknown) === ADOPT) {
      this.#args = [];
      this.#name = '';
      this.#daemon = false;
      return;
    }
    const subclassed = new.target.prototype.run !== Process.prototype.run;
    if (options === undefined && subclassed) options = {};
    if (typeof options !== 'object' || options === null) {
      throw argTypeError(
        `Expected \`options\` to be an object like { target, args } (Python's positional arguments are options in weft), got ${describe(options)}`,
      );
    }
    const { target, args = [], name, daemon } = options;
    this.#spec =
      subclassed && target === undefined ? undefined : toTaskSpec(target, 'Process `target`');
    if (!Array.isArray(args)) {
      throw argTypeError(`Expected \`args\` to be an array, got ${describe(args)}`);
    }
    if (name !== undefined && typeof name !== 'string') {
      throw argTypeError(`Expected \`name\` to be a string, got ${describe(name)}`);
    }
    if (daemon !== undefined && typeof daemon !== 'boolean') {
      throw argTypeError(`Expected \`daemon\` to be a boolean, got ${describe(daemon)}`);
    }
    this.#args = [...(args as unknown[])];
    this.#name = name ?? `Process-${++counter}`;
    this.#daemon = daemon ?? false;
    warm();
  }

  /** The process's name. */
  get name(): string {
    return this.#name;
  }
  /** Renames the process (Python's `p.name = …`); a non-string is a TypeError. */
  set name(value: string) {
    if (typeof value !== 'string') {
      throw argTypeError(`Expected \`name\` to be a string, got ${describe(value)}`);
    }
    this.#name = value;
  }

  /** Whether the process is a daemon; settable only before `start()`. */
  get daemon(): boolean {
    return this.#daemon;
  }
  /** Sets the daemon flag (Python's `p.daemon = …`). @throws {StateError} `ERR_PROCESS_STATE` once started. */
  set daemon(value: boolean) {
    if (this.#child !== undefined) {
      throw new StateError(
        'ERR_PROCESS_STATE',
        'Cannot set `daemon` of a process that has started',
      );
    }
    this.#daemon = value;
  }

  /** The child's process id, once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * `null` while running (or not started); then the exit status, or minus
   * the number of the signal that killed it, as Python reports it.
   */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /**
   * What the process does: calls the target with the args. Override it in a
   * subclass; then `start()` runs your `run()` in the child on a copy of the
   * instance, and `await join()` copies the instance's own fields back. The
   * subclass must be exported from its module and say where that module is:
   * `static module = import.meta.url`.
   */
  run(): unknown {
    throw new StateError(
      'ERR_PROCESS_STATE',
      'Process.run() runs in the child; call start() (or override run() in a subclass)',
    );
  }

  /** @internal In the child: the instance a subclass's run() is called on. */
  static adopt(cls: abstract new (...args: never[]) => Process, name: string): Process {
    const p = Reflect.construct(Process, [ADOPT], cls) as Process;
    p.#name = name;
    return p;
  }

  /**
   * Starts the child. Call it at most once.
   *
   * @throws {StateError} `ERR_PROCESS_STATE` when called twice.
   * @throws {TypeError} `ERR_SHAREABLE_PROCESS` if the args hold thread-only shareables.
   */
  start(): void {
    if (this.#child !== undefined || this.#closed) {
      const why = this.#child === undefined ? 'is closed' : 'can only be started once';
      throw new StateError('ERR_PROCESS_STATE', `Process ${this.#name} ${why}`);
    }
    const packed = pack(this.#args);
    if (packed !== this.#args && !packedOnly(packed, PROCESS_SAFE)) throw shareableError();
    const request: ProcessRequest = {
      t: 'process',
      spec: this.#spec ?? { source: '', name: 'run' },
      args: packed,
      packed: packed !== this.#args,
      name: this.#name,
      parentPid: process.pid,
      ...(this.#spec === undefined ? { self: processSubclassData(this) } : {}),
    };
    const taken = takeSpare();
    const child = taken.child;
    this.#child = child;
    live.add(this);
    // A non-daemon child keeps this process alive until it exits.
    if (!this.#daemon) child.ref();
    this.#exited = new Promise((resolve) => {
      child.on('message', (message: unknown) => {
        if ((message as { t?: unknown }).t === 'process-fields') {
          const m = message as ProcessFields;
          restoreFields(this, m.fields, m.table);
        }
      });
      child.on('exit', (code, signal) => {
        this.#exitCode = code ?? (signal === null ? 1 : -(constants.signals[signal] ?? 1));
        live.delete(this);
        resolve();
      });
    });
    const send = (): void => {
      if (child.connected) child.send(request);
    };
    if (taken.ready) send();
    else taken.onReady = send;
    warm();
  }

  /** True from `start()` until the child has exited. */
  isAlive(): boolean {
    return this.#child !== undefined && this.#exitCode === null && !isGone(this.#child.pid);
  }

  /**
   * Waits until the child exits, without blocking the event loop.
   *
   * @returns `true` if it exited, `false` on timeout.
   * @throws {StateError} `ERR_PROCESS_STATE` if not started.
   */
  async join(options?: { readonly timeout?: number }): Promise<boolean> {
    const timeout = checkTimeout(checkOptions(options, 'process.join()', WAIT_SYNC_FORM).timeout);
    const exited = this.#started();
    if (this.#exitCode !== null) return true;
    let timer: LongTimer | undefined;
    const timedOut = new Promise<false>((resolve) => {
      if (timeout !== Infinity) timer = setLongTimeout(() => resolve(false), timeout);
    });
    try {
      return await Promise.race([exited.then(() => true as const), timedOut]);
    } finally {
      timer?.clear();
    }
  }

  /**
   * Blocks the calling thread until the child exits or `timeout` ms pass.
   *
   * @remarks Blocking. `exitCode` is set once this thread's event loop turns
   * (Node learns a child's status there).
   */
  joinSync(options?: { readonly timeout?: number }): boolean {
    const timeout = checkTimeout(
      checkOptions(options, 'process.joinSync()', WAIT_SYNC_FORM).timeout,
    );
    this.#check();
    const deadline = deadlineOf(timeout);
    const nap = new Int32Array(new SharedArrayBuffer(4));
    while (this.#exitCode === null && !isGone(this.#child!.pid)) {
      const left = remaining(deadline);
      if (left <= 0) return false;
      Atomics.wait(nap, 0, 0, Math.min(left, 5));
    }
    return true;
  }

  /** Sends SIGTERM (Python's `terminate()`). */
  terminate(): void {
    this.#check();
    if (this.#exitCode === null) this.#child!.kill('SIGTERM');
  }

  /** Sends SIGKILL (Python's `kill()`). */
  kill(): void {
    if (this.#child !== undefined && this.#exitCode === null) this.#child.kill('SIGKILL');
  }

  /**
   * Releases the process object. Python's `close()`.
   *
   * @throws {StateError} `ERR_PROCESS_STATE` while the child is still running.
   */
  close(): void {
    if (this.#child !== undefined && this.#exitCode === null) {
      throw new StateError('ERR_PROCESS_STATE', 'Cannot close a process while it is running');
    }
    this.#closed = true;
  }

  /** `await using p = new Process(…)`: terminates (if still running) and reaps it at scope exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#child === undefined) return;
    if (this.#exitCode === null) {
      this.#child.kill('SIGTERM');
      if (!(await this.join({ timeout: 5000 }))) {
        this.#child.kill('SIGKILL');
        await this.join();
      }
    }
  }

  /** `<Process name=… pid=… started>`, as Python prints it. */
  toString(): string {
    const state =
      this.#child === undefined
        ? 'initial'
        : this.#exitCode === null
          ? 'started'
          : `stopped exitcode=${this.#exitCode}`;
    return `<Process name='${this.#name}'${this.pid === undefined ? '' : ` pid=${this.pid}`} ${state}${this.#daemon ? ' daemon' : ''}>`;
  }

  #check(): void {
    if (this.#exited === undefined) {
      throw new StateError('ERR_PROCESS_STATE', 'The process has not been started');
    }
  }

  #started(): Promise<void> {
    if (this.#exited === undefined) {
      throw new StateError('ERR_PROCESS_STATE', 'Cannot join a process before it is started');
    }
    return this.#exited;
  }
}

const ADOPT = Object.freeze({});

// Whether `pid` has exited (a zombie counts): Linux's /proc.
function isGone(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** @internal How a Process subclass crosses into its child (internal/subclass.ts). */
export const PROCESS_SUBCLASS: SubclassKind = {
  base: 'Process',
  where: 'child',
  noModule: 'ERR_PROCESS_CLASS_MODULE',
};

function processSubclassData(p: Process): SubclassData {
  const data = subclassData(p, PROCESS_SUBCLASS);
  if (data.table !== undefined && !packedOnly([data.fields, data.table], PROCESS_SAFE))
    throw shareableError();
  return data;
}

function shareableError(): TypeError {
  return codedError(
    TypeError,
    'ERR_SHAREABLE_PROCESS',
    'A Process cannot receive weft/threading, weft/shared or weft/queue shareables (Lock, Value, Queue…): ' +
      'they live in memory that child processes do not share. Use the same names from weft/multiprocessing ' +
      "(new Value('i', 0), new Array('d', 3), new Lock(), new Queue()…), served across processes, or a Manager's proxies",
  );
}

/** What `currentProcess()` returns: the name and pid of the process this code runs in. */
export interface ProcessInfo {
  /** The process's name (`MainProcess` in the parent). */
  readonly name: string;
  /** The process's id. */
  readonly pid: number;
}

let currentName = 'MainProcess';
let parentPid: number | undefined;

/** @internal Set by the child runtime before the target runs. */
export function setCurrentProcess(name: string, parent: number): void {
  currentName = name;
  parentPid = parent;
}

/**
 * The process this code runs in: `MainProcess` in the parent, the `Process`'s
 * name inside a child. Python's `multiprocessing.current_process()`.
 *
 * @example
 * ```ts
 * console.log(currentProcess().name, currentProcess().pid);
 * ```
 */
export function currentProcess(): ProcessInfo {
  return { name: currentName, pid: process.pid };
}

/**
 * The parent of this process if it was started as a `Process`, else
 * `undefined`. Python's `multiprocessing.parent_process()`.
 *
 * @example
 * ```ts
 * parentProcess()?.pid; // in a child: the parent's pid
 * ```
 */
export function parentProcess():
  | {
      /** The parent's process id. */
      readonly pid: number;
    }
  | undefined {
  return parentPid === undefined ? undefined : { pid: parentPid };
}

/**
 * The started children of this process that have not exited. Python's
 * `multiprocessing.active_children()`.
 *
 * @example
 * ```ts
 * for (const p of activeChildren()) p.terminate();
 * ```
 */
export function activeChildren(): Process[] {
  return [...live].filter((p) => p.exitCode === null);
}
