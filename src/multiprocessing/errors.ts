// Errors of weft/multiprocessing's Manager. Every one has a stable `code`.

import { registerWeftErrors } from '../internal/error-wire.js';
import { WeftError } from '../internal/errors.js';

/**
 * A Manager call that cannot be served: `code` says why.
 * - `ERR_MANAGER_CLOSED`: this manager (or this client of it) was shut down.
 * - `ERR_MANAGER_GONE`: the connection to the manager was lost (its server
 *   ended, or its process died); every pending and later call fails with it.
 * - `ERR_MANAGER_UNREACHABLE`: no manager answers at the address.
 * - `ERR_MANAGER_PROTOCOL`: a malformed message (a frame too large, a bad reply).
 * - `ERR_MANAGER_UNKNOWN_TYPE`: `create` with a typeid nobody registered.
 * - `ERR_MANAGER_NO_OBJECT`, `ERR_MANAGER_NO_METHOD`: a proxy names an object
 *   or method the server does not have.
 *
 * @example
 * ```ts
 * try { await d.get('k'); } catch (e) { if (e instanceof ManagerError && e.code === 'ERR_MANAGER_GONE') reconnect(); }
 * ```
 */
export class ManagerError extends WeftError {}

/**
 * The other side of a manager connection did not prove it holds the same
 * `authkey` (Python's `multiprocessing.AuthenticationError`). Code
 * `ERR_MANAGER_AUTH`. The message never contains the key.
 *
 * @example
 * ```ts
 * try { await Manager.connect({ address, authkey: wrong }); } catch (e) { (e as AuthenticationError).code === 'ERR_MANAGER_AUTH'; }
 * ```
 */
export class AuthenticationError extends ManagerError {
  constructor(message = 'The manager connection failed authentication', options?: ErrorOptions) {
    super('ERR_MANAGER_AUTH', message, options);
  }
}

// A Manager error raised in a Process or pool child arrives as itself.
registerWeftErrors([ManagerError, AuthenticationError]);
