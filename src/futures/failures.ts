// How failures become errors: a worker that died (the code names the cause),
// and a value that could not be copied to the other side.

import { WorkerExitError } from './errors.js';
import type { ExitInfo, Lane } from './lane.js';

/** The error for the tasks a worker was running when it exited. */
export function exitError(lane: Lane, info: ExitInfo): WorkerExitError {
  const details = { exitCode: info.code, signal: info.signal };
  if (lane.killed !== undefined) {
    return new WorkerExitError(
      'ERR_WORKER_KILLED',
      `The worker was killed: ${lane.killed}`,
      details,
    );
  }
  const code = (info.error as { code?: unknown } | undefined)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new WorkerExitError(
      'ERR_WORKER_OUT_OF_MEMORY',
      'The worker ran out of memory',
      details,
      { cause: info.error },
    );
  }
  if (info.error !== undefined) {
    return new WorkerExitError(
      'ERR_WORKER_CRASHED',
      `The worker crashed: ${info.error.name}: ${info.error.message}`,
      details,
      { cause: info.error },
    );
  }
  if (info.signal !== undefined) {
    return new WorkerExitError(
      'ERR_WORKER_KILLED',
      `The worker was killed by ${info.signal}`,
      details,
    );
  }
  return new WorkerExitError(
    'ERR_WORKER_EXITED',
    `The worker exited with code ${info.code}`,
    details,
  );
}

/** A task's arguments or result could not be copied to the other side. */
export function notCloneable(what: string, error: unknown, fallback?: unknown): TypeError {
  const cause = error instanceof Error ? error : fallback;
  const e = new TypeError(
    `The task's ${what} could not be sent: ${cause instanceof Error ? cause.message : String(cause)}`,
    { cause },
  );
  Object.defineProperty(e, 'code', { value: 'ERR_NOT_CLONEABLE', enumerable: true });
  return e;
}
