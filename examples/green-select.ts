// Greenlet select with a timeout: seeds/001, "#12".
//
// Two greenlets poll for input with a timeout and a third works meanwhile:
// each poll blocks only its own greenlet. gevent's select.select([], [], [], 2)
// waits for a socket to become readable; here each greenlet waits for a
// datagram on its own local UDP socket that never gets one, bounded by a
// green Timeout of 2 s (the timeout's signal ends the wait).
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/green-select.ts

import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { joinAll, sleep, spawn, Timeout } from 'weft/green';

const start = Date.now();
const tic = (): string => `at ${((Date.now() - start) / 1000).toFixed(1)} seconds`;

/** select([sock], [], [], seconds): true if a datagram arrived, false on timeout. */
async function poll(seconds: number): Promise<boolean> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  using timeout = Timeout.startNew(seconds * 1000);
  try {
    await once(socket, 'message', { signal: timeout.signal });
    return true;
  } catch (e) {
    if (!timeout.expired) throw e;
    return false;
  } finally {
    socket.close();
  }
}

async function gr1(): Promise<void> {
  console.log(`Started Polling: ${tic()}`);
  await poll(2);
  console.log(`Ended Polling: ${tic()}`);
}

async function gr2(): Promise<void> {
  console.log(`Started Polling: ${tic()}`);
  await poll(2);
  console.log(`Ended Polling: ${tic()}`);
}

async function gr3(): Promise<void> {
  console.log(`Hey lets do some stuff while the greenlets poll, ${tic()}`);
  await sleep(1000);
}

await joinAll([spawn(gr1), spawn(gr2), spawn(gr3)]);
