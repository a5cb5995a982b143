// "Data sharing between process: Buffer": seeds/003.
//
// An Array of weft/multiprocessing holds the bytes of a string; foo
// subtracts 32 from every element, then bar turns every 32 (a space) into
// a newline, each in its own process, and main sees what they did. The
// seed reads the string with input(); here it is the first argument
// (default `hello@world`: '@' - 32 is a space, so bar has one to replace).
// The seed's bar writes b'\n' into an int array, which Python refuses; the
// port writes 10, the newline's code.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/mp-buffer.ts [text]

import { Array as SharedArray, Barrier, Event, Process } from 'weft/multiprocessing';

async function foo(arr: SharedArray<'i'>, bothRead: Barrier, done: Event): Promise<void> {
  const { currentProcess } = await import('weft/multiprocessing');
  const text = JSON.stringify(Buffer.from([...arr]).toString('latin1')).slice(1, -1);
  console.log(`In foo[${currentProcess().name}]: array = b'${text}'`);
  await bothRead.wait();
  for (const [i, v] of [...arr].entries()) arr.setSync(i, v - 32);
  done.set();
}

async function bar(arr: SharedArray<'i'>, bothRead: Barrier, done: Event): Promise<void> {
  const { currentProcess } = await import('weft/multiprocessing');
  const text = JSON.stringify(Buffer.from([...arr]).toString('latin1')).slice(1, -1);
  console.log(`In bar[${currentProcess().name}]: value = b'${text}'`);
  await bothRead.wait();
  await done.wait(); // the seed's sleep(3) against foo's sleep(2)
  for (const [i, v] of [...arr].entries()) if (v === 32) arr.setSync(i, 10);
}

const s = process.argv[2] ?? 'hello@world';
const array = new SharedArray('i', Buffer.from(s, 'utf8'));
const bothRead = new Barrier(2);
const done = new Event();

const t1 = new Process({ target: foo, args: [array, bothRead, done] });
const t2 = new Process({ target: bar, args: [array, bothRead, done] });
t1.start();
t2.start();
await t1.join();
await t2.join();
console.log(`In main: value = ${String(array)}`);
const bytes = JSON.stringify(Buffer.from(array.toArraySync()).toString('latin1')).slice(1, -1);
console.log(`String = b'${bytes}'`);
