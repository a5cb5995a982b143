// Per-task and per-worker records of a pool. Both are kept small: a task is
// its Future plus five fields, and a worker's in-flight tasks live in a ring
// indexed by slot, mirrored in the worker (which counts slots the same way),
// so no id crosses the wire.

import type { TransferListItem } from 'node:worker_threads';
import type { LongTimer } from '../internal/timer.js';
import { Future, nativeFastPath } from './future.js';
import { CAPACITY, type WorkerInit } from './protocol.js';

export const MASK = CAPACITY - 1;

/** A task's timeout and signal, kept only for tasks that have them. */
export interface Watch {
  readonly timeout: number;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  timer: LongTimer | undefined;
  grace: LongTimer | undefined;
}

/** The future of a task submitted to a pool, carrying the task until it is done. */
export class TaskFuture<T = unknown> extends Future<T> {
  /** Task code: spec id * CODE_SHIFT + flags. */
  c = 0;
  /** Encoded arguments (a list of argument lists for a chunk); dropped when done. */
  a: unknown = undefined;
  /** What to transfer with the arguments. */
  x: readonly TransferListItem[] | undefined = undefined;
  /** Timeout and signal, if any. */
  w: Watch | undefined = undefined;
  /** The worker it was sent to; undefined while in the pool's queue. */
  l: Lane | undefined = undefined;
  /** Its ring slot in that worker. */
  i = 0;
}

nativeFastPath(TaskFuture);

/** How a worker ended, as its transport saw it. */
export interface ExitInfo {
  readonly code?: number | undefined;
  readonly signal?: string | undefined;
  /** The error a worker thread emitted (e.g. ERR_WORKER_OUT_OF_MEMORY). */
  readonly error?: Error | undefined;
  /** Child processes: how many tasks (ring positions) it took, from its ledger. */
  readonly begun?: number | undefined;
}

/** What the pool hears from one worker. */
export interface LinkEvents {
  message(message: unknown): void;
  exit(info: ExitInfo): void;
}

/** One worker, as a transport (thread or child process) exposes it. */
export interface WorkerLink {
  /** The thread's `threadId` or the child's `pid`. */
  readonly id: number;
  post(message: unknown, transfer?: readonly TransferListItem[]): void;
  /** Stops the worker now. */
  terminate(): void;
  /** Asks an idle worker to exit. */
  close(): void;
}

/** Starts workers of one kind. */
export interface Transport {
  /** Thread pools: shared slot states, transfer lists, shareable arguments. */
  readonly shared: boolean;
  /** Child processes announce `{ t: 'ready' }` and then get `{ t: 'init' }`. */
  readonly needsReady: boolean;
  spawn(init: WorkerInit, events: LinkEvents): WorkerLink;
}

/** The pool's record of one worker. */
export class Lane {
  readonly ring: (TaskFuture | undefined)[] = new Array<TaskFuture | undefined>(CAPACITY);
  /** Slots handed out (unbounded counter; slot = head & MASK). */
  head = 0;
  /** Slots reported back. */
  tail = 0;
  /** Slots posted to the worker. */
  sent = 0;
  /** The next batch, flat [code, args, …]. */
  out: unknown[] = [];
  outTransfer: TransferListItem[] | undefined = undefined;
  /** Spec ids already defined in this worker. */
  readonly known: boolean[] = [];
  /** Tasks it may still take (maxTasksPerChild). */
  budget: number;
  ready: boolean;
  /** Takes new tasks (false once retiring, closing or dead). */
  open = true;
  alive = true;
  /** Heard from at least once. */
  heard = false;
  /** Asked to exit normally (idle, recycled, or the pool shut down). */
  closing = false;
  /** Why the pool killed it, if it did. */
  killed: string | undefined = undefined;
  /** A stray error broke it: it takes no new task and is closed once what it began is done. */
  stray = false;
  idleTimer: LongTimer | undefined = undefined;
  link!: WorkerLink;

  constructor(
    readonly state: Int32Array | undefined,
    budget: number,
    ready: boolean,
  ) {
    this.budget = budget;
    this.ready = ready;
  }

  /** Tasks handed to it and not reported back. */
  get load(): number {
    return this.head - this.tail;
  }
}
