// Why a channel is dead, stored in word 1 of its shared word pair so that a
// thread blocked in a Sync call learns it without its event loop.

import type { ErrorData } from './wire.js';

export const DEAD = { ALIVE: 0, GONE: 1, UNREACHABLE: 2, AUTH: 3, CLOSED: 4 } as const;

/** The error every call on a dead channel fails with. */
export function deadError(code: number): ErrorData {
  switch (code) {
    case DEAD.AUTH:
      return {
        name: 'AuthenticationError',
        code: 'ERR_MANAGER_AUTH',
        message: 'The manager connection failed authentication',
      };
    case DEAD.UNREACHABLE:
      return {
        name: 'ManagerError',
        code: 'ERR_MANAGER_UNREACHABLE',
        message: 'No manager answers at this address',
      };
    case DEAD.CLOSED:
      return {
        name: 'ManagerError',
        code: 'ERR_MANAGER_CLOSED',
        message: 'The manager was shut down',
      };
    default:
      return {
        name: 'ManagerError',
        code: 'ERR_MANAGER_GONE',
        message: 'The connection to the manager was lost (its server ended or its process died)',
      };
  }
}
