// The contract suites of weft/threading and weft/queue, run against a
// Manager's proxies: the same behaviour, the other party a real Thread
// whose proxies talk to the server over the socket (the test's own go
// through the starting thread's port channel).
import { after } from 'node:test';
import type { Lock, RLock, Semaphore } from '../../src/threading/index.js';
import { Manager } from '../../src/multiprocessing/index.js';
import { baseLockSuite, semaphoreSuite } from '../threading/suites.js';
import { queueContract, type ContractQueueClass } from '../queue/contract.js';

const manager = await Manager.start();
after(() => manager.shutdown());

baseLockSuite('Manager Lock', () => manager.LockSync() as unknown as Lock);
baseLockSuite('Manager RLock', () => manager.RLockSync() as unknown as RLock);
semaphoreSuite(
  'Manager Semaphore',
  (value) => manager.SemaphoreSync(value) as unknown as Semaphore,
);
semaphoreSuite(
  'Manager BoundedSemaphore',
  (value) => manager.BoundedSemaphoreSync(value) as unknown as Semaphore,
);

// `new Q({ maxsize })` makes a managed queue of that kind.
function queueClass(make: (maxsize: number) => unknown): ContractQueueClass {
  return function (options?: { readonly maxsize?: number }) {
    return make(options?.maxsize ?? 0);
  } as unknown as ContractQueueClass;
}

queueContract('Manager', {
  Queue: queueClass((maxsize) => manager.JoinableQueueSync({ maxsize })),
  LifoQueue: queueClass((maxsize) => manager.LifoQueueSync({ maxsize })),
  PriorityQueue: queueClass((maxsize) => manager.PriorityQueueSync({ maxsize })),
});
