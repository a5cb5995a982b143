// Speeding up parallel requests with greenlets: seeds/001, "#14".
//
// Nine requests to a slow server, one after the other, then all at once in
// greenlets. The seed fetches http://icanhazip.com (and monkey-patches the
// socket module so urlopen yields to other greenlets); here the example
// starts its own local HTTP server, which answers after 100 ms, and uses
// fetch, which never blocks the thread, so no patching is needed. The
// concurrent run takes about one request's time instead of nine.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/green-requests.ts

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { joinAll, spawn } from 'weft/green';

const LATENCY_MS = 100;

const server = createServer((_req, res) => {
  setTimeout(() => res.end('Hello python'), LATENCY_MS);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

function timethis(fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    const start = performance.now();
    await fn();
    console.log(`__main__${fn.name} : ${((performance.now() - start) / 1000).toFixed(6)}`);
  };
}

async function fetchOne(pid: number): Promise<string> {
  const response = await fetch(url);
  const result = await response.text();
  console.log(`Process ${pid}: ${result}  `);
  return result;
}

const synchronous = timethis(async function synchronous() {
  for (let i = 1; i < 10; i++) await fetchOne(i);
});

const asynchronous = timethis(async function asynchronous() {
  const threads = [];
  for (let i = 1; i < 10; i++) threads.push(spawn(fetchOne, i));
  await joinAll(threads);
});

try {
  console.log('Synchronous');
  await synchronous();
  console.log('Asynchronous');
  await asynchronous();
} finally {
  server.closeAllConnections();
  server.close();
}
