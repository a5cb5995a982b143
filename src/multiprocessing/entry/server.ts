// Entry of a Manager's server thread. workerData: where to listen, the
// authkey, and the port pair + word of the starting thread's own channel.
// Tells the parent { t: 'listening', address } or { t: 'error', … }; stops
// on { t: 'shutdown' } and answers { t: 'closed' }.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ManagerServer, type ListenAddress } from '../server.js';
// Registered types may receive proxies and shareables inside their arguments.
import '../index.js';

interface ServerData {
  readonly listen: ListenAddress;
  readonly authkey: Uint8Array;
  readonly port: MessagePort;
  readonly syncPort: MessagePort;
  readonly word: Int32Array;
}

const data = workerData as ServerData;
const server = new ManagerServer(data.authkey);
const word = data.word;

// A blocked Sync caller in the parent must not wait forever on a thread that died.
process.on('uncaughtException', () => {
  Atomics.store(word, 1, 1);
  Atomics.add(word, 0, 1);
  Atomics.notify(word, 0);
  process.exit(1);
});

parentPort!.on('message', (message: { t?: string }) => {
  if (message.t !== 'shutdown') return;
  void server.close().then(() => {
    Atomics.store(word, 1, 4);
    Atomics.add(word, 0, 1);
    Atomics.notify(word, 0);
    parentPort!.postMessage({ t: 'closed' });
  });
});
// The starting thread's port is served only once the socket listens: its
// first call (a Sync ping, for a manager started synchronously) then proves
// that children can connect. A port buffers what comes before.
server.listen(data.listen).then(
  (address) => {
    server.attachPort(data.port, data.syncPort, word);
    parentPort!.postMessage({ t: 'listening', address });
  },
  (error: NodeJS.ErrnoException) => {
    Atomics.store(word, 1, 1);
    Atomics.add(word, 0, 1);
    Atomics.notify(word, 0);
    parentPort!.postMessage({
      t: 'error',
      code: error.code ?? 'ERR_MANAGER_LISTEN',
      message: error.message,
    });
  },
);
