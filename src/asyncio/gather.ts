import { rejected } from '../internal/reject.js';
import { argTypeError, describe } from '../internal/errors.js';

/** Options of {@link gather}, given as its last argument. */
export interface GatherOptions {
  /**
   * `true`: a rejection does not reject the gather; its reason takes the
   * task's place in the results. @default false
   */
  readonly returnExceptions?: boolean;
}

/** Results of `gather(...tasks)`, in argument order. */
export type Gathered<T extends readonly unknown[]> = { -readonly [K in keyof T]: Awaited<T[K]> };

/** Results of `gather(...tasks, { returnExceptions: true })`: a value or the rejection's reason. */
export type GatheredOrErrors<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: Awaited<T[K]> | Error;
};

/**
 * Waits for every task and returns their results in argument order (Python's
 * `asyncio.gather`). Without `returnExceptions`, it rejects with the first
 * rejection, and the other tasks go on running (as in Python, and as
 * `Promise.all`); use a {@link TaskGroup} to have them stopped. With
 * `returnExceptions: true` it never rejects: a task's rejection reason
 * stands in its place (typed `Error`: reject with errors).
 *
 * @param tasks - Promises (or thenables), then optionally a {@link GatherOptions} object.
 * @throws {TypeError} (rejects) when an argument is neither a promise nor, last, the options.
 * @example
 * ```ts
 * const [a, b] = await gather(foo(), bar());
 * const results = await gather(ok(), fails(), { returnExceptions: true });
 * for (const r of results) if (r instanceof Error) console.log('failed:', r.message);
 * ```
 */
export function gather<const T extends readonly PromiseLike<unknown>[]>(
  ...tasks: T
): Promise<Gathered<T>>;
export function gather<const T extends readonly PromiseLike<unknown>[]>(
  ...args: [...T, GatherOptions & { readonly returnExceptions: true }]
): Promise<GatheredOrErrors<T>>;
export function gather<const T extends readonly PromiseLike<unknown>[]>(
  ...args: [...T, GatherOptions]
): Promise<Gathered<T> | GatheredOrErrors<T>>;
export function gather(...args: unknown[]): Promise<unknown[]> {
  try {
    return gatherChecked(...args);
  } catch (error) {
    return rejected(error);
  }
}

function gatherChecked(...args: unknown[]): Promise<unknown[]> {
  let tasks = args;
  let returnExceptions = false;
  const last = args[args.length - 1];
  if (args.length > 0 && !isThenable(last)) {
    if (!isPlainObject(last)) {
      throw argTypeError(
        `Expected \`gather\` arguments to be promises, then optionally an options object, got ${describe(last)}`,
      );
    }
    const flag = (last as GatherOptions).returnExceptions;
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw argTypeError(`Expected \`returnExceptions\` to be a boolean, got ${describe(flag)}`);
    }
    returnExceptions = flag ?? false;
    tasks = args.slice(0, -1);
  }
  for (let i = 0; i < tasks.length; i++) {
    if (!isThenable(tasks[i])) {
      throw argTypeError(
        `Expected \`gather\` argument ${i} to be a promise, got ${describe(tasks[i])}`,
      );
    }
  }
  if (!returnExceptions) return Promise.all(tasks);
  return Promise.all(tasks.map((t) => Promise.resolve(t).then(identity, identity)));
}

function identity(value: unknown): unknown {
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
