// How an instance of a Thread or Process subclass that overrides run()
// crosses into its thread or child process (Python's "method 2"): its class
// travels as a place (module URL and export name, from `static module =
// import.meta.url`), its own fields as data (shareables live); the other
// side loads the class, builds an instance without running its constructor,
// restores the fields, calls run(), and sends the fields back once.

import { decode, encode, type Encoded, type SharedTable } from './codec.js';
import { codedError, StateError, type ErrorCode } from './errors.js';
import { loadModule } from './task-load.js';

/** Where a subclass instance's class is, and the instance's own fields (encoded). */
export interface SubclassData {
  readonly module: string;
  readonly name: string;
  readonly fields: unknown;
  readonly table: SharedTable | undefined;
}

/** Which base class, for messages: `Thread` runs in a "thread", `Process` in a "child". */
export interface SubclassKind {
  readonly base: 'Thread' | 'Process';
  readonly where: 'thread' | 'child';
  /** The code of the error thrown when the class has no `static module`. */
  readonly noModule: ErrorCode;
}

/** An instance's own enumerable fields, encoded for the trip there or back. */
export function ownFields(instance: object): Encoded {
  const own: Record<string, unknown> = {};
  for (const key of Object.keys(instance)) own[key] = (instance as Record<string, unknown>)[key];
  return encode(own);
}

/** Puts fields encoded by {@link ownFields} on `instance`. */
export function restoreFields(
  instance: object,
  fields: unknown,
  table: SharedTable | undefined,
): void {
  Object.assign(instance, decode(fields, table));
}

/**
 * Describes `instance` for its thread or child.
 *
 * @throws {StateError} (`kind.noModule`) when the class does not say where its module is.
 */
export function subclassData(instance: object, kind: SubclassKind): SubclassData {
  const cls = instance.constructor as { name: string; module?: unknown };
  if (typeof cls.module !== 'string') {
    throw new StateError(
      kind.noModule,
      `${cls.name} overrides run(), so its ${kind.where} must load the class: export it and add \`static module = import.meta.url\` to it`,
    );
  }
  const { value: fields, table } = ownFields(instance);
  return { module: cls.module, name: cls.name, fields, table };
}

/**
 * In the thread or child: the subclass, loaded from its module and checked
 * to extend `base`.
 *
 * @throws {TypeError} `ERR_TASK_NOT_EXPORTED` when the module does not export it.
 */
export async function loadSubclass<C extends abstract new (...args: never[]) => object>(
  data: SubclassData,
  base: C,
  kind: SubclassKind,
): Promise<C> {
  const mod = await loadModule(data.module);
  const cls =
    mod[data.name] ??
    Object.values(mod).find((v) => typeof v === 'function' && v.name === data.name);
  if (typeof cls !== 'function' || !(cls.prototype instanceof base)) {
    throw codedError(
      TypeError,
      'ERR_TASK_NOT_EXPORTED',
      `Module ${data.module} does not export the ${kind.base} subclass \`${data.name}\`: export it so its ${kind.where} can load it`,
    );
  }
  return cls as C;
}
