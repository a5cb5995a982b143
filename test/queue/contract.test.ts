// The queue contract shared with weft/asyncio, run against the cross-thread queues.
import { LifoQueue, PriorityQueue, Queue } from '../../src/queue/index.js';
import { queueContract } from './contract.js';

queueContract('weft/queue', { Queue, LifoQueue, PriorityQueue });
