/**
 * gevent's cooperative tasks in one thread: greenlets, pools, groups and
 * timeouts, with deterministic scheduling.
 *
 * @module weft/green
 */
export { Greenlet, spawn, spawnLater, getCurrent, setErrorHandler } from './greenlet.js';
export type { ErrorHandler, GetOptions, JoinOptions, KillOptions } from './greenlet.js';
export { joinAll, killAll, wait } from './join-all.js';
export type { GreenWaitOptions, JoinAllOptions, WaitOptions } from './join-all.js';
export { sleep } from './sleep.js';
export { Timeout } from './timeout.js';
export { BaseGroup, Group } from './group.js';
export type { GroupJoinOptions, Items } from './group.js';
export { Pool } from './pool.js';
export type { PoolWaitOptions } from './pool.js';
export { GreenletExit } from './errors.js';
export { WeftError, TimeoutError, StateError } from '../internal/errors.js';
