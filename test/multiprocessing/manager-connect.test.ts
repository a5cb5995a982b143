// Manager.connect settles within a bounded handshake deadline, with a coded
// error, against a listener that is not a manager: one that accepts and says
// nothing, one that answers garbage. It lets go of the connection it made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Manager } from '../../src/multiprocessing/index.js';

const code = (c: string) => (e: unknown) => (e as { code?: unknown }).code === c;

/** A loopback TCP server that hands each accepted socket to `onSocket`. */
async function listener(onSocket: (s: Socket) => void): Promise<{
  server: Server;
  address: { host: string; port: number };
}> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    onSocket(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, address: { host: '127.0.0.1', port } };
}

/** Fails (instead of hanging) when `p` is still pending after `ms`. */
function settlesWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

test('a listener that accepts and says nothing: ERR_MANAGER_UNREACHABLE after `timeout`, its socket closed', async () => {
  const { server, address } = await listener(() => undefined);
  try {
    await assert.rejects(
      settlesWithin(Manager.connect({ address, authkey: 'k', timeout: 500 }), 10_000),
      code('ERR_MANAGER_UNREACHABLE'),
    );
  } finally {
    // 'close' comes once every accepted connection has ended: connect let go of its own.
    server.close();
    await settlesWithin(once(server, 'close'), 10_000);
  }
});

test('a listener that answers garbage: ERR_MANAGER_UNREACHABLE at once', async () => {
  for (const garbage of [
    Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'),
    // A well-formed frame that is no challenge.
    Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5]),
  ]) {
    const { server, address } = await listener((s) => s.write(garbage));
    try {
      // The default deadline (10 s) is not what ends it.
      await assert.rejects(
        settlesWithin(Manager.connect({ address, authkey: 'k' }), 8_000),
        code('ERR_MANAGER_UNREACHABLE'),
      );
    } finally {
      server.close();
      await settlesWithin(once(server, 'close'), 10_000);
    }
  }
});

test('`signal` gives up connecting with its reason; bad `timeout` / `signal` are refused', async () => {
  const { server, address } = await listener(() => undefined);
  try {
    const ac = new AbortController();
    const connecting = Manager.connect({
      address,
      authkey: 'k',
      timeout: Infinity,
      signal: ac.signal,
    });
    const reason = new Error('gave up');
    ac.abort(reason);
    await assert.rejects(settlesWithin(connecting, 10_000), (e) => e === reason);
    await assert.rejects(
      Manager.connect({ address, authkey: 'k', signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
    await assert.rejects(
      Manager.connect({ address, authkey: 'k', timeout: -1 }),
      code('ERR_OUT_OF_RANGE'),
    );
    await assert.rejects(
      // @ts-expect-error -- a wrong type, as a JS caller might pass
      Manager.connect({ address, authkey: 'k', timeout: '10' }),
      code('ERR_INVALID_ARG_TYPE'),
    );
    await assert.rejects(
      // @ts-expect-error -- a wrong type, as a JS caller might pass
      Manager.connect({ address, authkey: 'k', signal: {} }),
      code('ERR_INVALID_ARG_TYPE'),
    );
  } finally {
    server.close();
    await settlesWithin(once(server, 'close'), 10_000);
  }
});
