// The lock and semaphore contract suites of weft/threading, run against
// weft/multiprocessing's own Lock, RLock, Semaphore and BoundedSemaphore
// (made with `new`, served by this thread's private server; the other
// party a real Thread, which receives them as the same classes).
import type {
  Lock as ThreadLock,
  RLock as ThreadRLock,
  Semaphore as ThreadSemaphore,
} from '../../src/threading/index.js';
import { BoundedSemaphore, Lock, RLock, Semaphore } from '../../src/multiprocessing/index.js';
import { baseLockSuite, semaphoreSuite } from '../threading/suites.js';

baseLockSuite('weft/multiprocessing Lock', () => new Lock() as unknown as ThreadLock);
baseLockSuite('weft/multiprocessing RLock', () => new RLock() as unknown as ThreadRLock);
semaphoreSuite(
  'weft/multiprocessing Semaphore',
  (value) => new Semaphore(value) as unknown as ThreadSemaphore,
);
semaphoreSuite(
  'weft/multiprocessing BoundedSemaphore',
  (value) => new BoundedSemaphore(value) as unknown as ThreadSemaphore,
);
