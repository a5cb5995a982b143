// Registers the futures error classes with the error wire (internal/
// error-wire.ts), so a CancelledError or WorkerExitError raised in a worker
// arrives as itself, and re-exports the public `registerErrorClass`.

import { registerWeftErrors } from '../internal/error-wire.js';
import {
  BrokenExecutorError,
  CancelledError,
  InvalidStateError,
  WorkerExitError,
} from './errors.js';

export { registerErrorClass } from '../internal/error-wire.js';

registerWeftErrors([CancelledError, BrokenExecutorError, InvalidStateError, WorkerExitError]);
