// Multiprocessing vs gevent: seeds/001, "#16".
//
// The same check on two pools: run `echo` (sleep 1 ms, return i) over
// 0..9 four times, unordered (imapUnordered of weft/green's Pool and of
// weft/multiprocessing's), and say whether the four result orders are
// equal. In a green Pool(10) they always are: the greenlets start in order,
// their timers are due in that order, and timers due in order fire in
// order. In a process Pool the processes race each other and the operating
// system's scheduler picks the winners, so the order need not repeat (it
// may, by chance, on a quiet machine). Python prints `gevent.pool True` and
// `multiprocessing.pool False`.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/green-vs-processes.ts

import { Pool, sleep } from 'weft/green';
import { Pool as ProcessPool } from 'weft/multiprocessing';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const same = (runs: readonly number[][]): boolean =>
  runs.every((run) => run.join() === runs[0]!.join());

// Green: time.sleep(0.001) becomes the green sleep, which yields.
async function greenEcho(i: number): Promise<number> {
  await sleep(1);
  return i;
}

const pool = new Pool(10);
const greenRuns: number[][] = [];
for (let run = 0; run < 4; run++) {
  const results: number[] = [];
  for await (const a of pool.imapUnordered(greenEcho, range(10))) results.push(a);
  greenRuns.push(results);
}
console.log('weft/green Pool', same(greenRuns));

// Processes: multiprocessing.pool.Pool, each task sleeping 1 ms in its own
// process, blocking it as time.sleep does.
function echo(i: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
  return i;
}

{
  // The seed's Pool(10) starts ten Python processes in milliseconds; a Node
  // process under a TypeScript loader takes about half a second, so four.
  await using processes = new ProcessPool({ processes: 4 });
  // Start every process before measuring, as multiprocessing.Pool does.
  await processes.map(echo, range(10));
  const processRuns: number[][] = [];
  for (let run = 0; run < 4; run++) {
    const results: number[] = [];
    for await (const a of processes.imapUnordered(echo, range(10))) results.push(a);
    processRuns.push(results);
  }
  console.log('weft/multiprocessing Pool', same(processRuns));
  console.log('process runs:', processRuns.map((r) => r.join(' ')).join(' | '));
}
