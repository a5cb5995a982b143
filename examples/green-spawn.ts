// gevent spawns greenlets: seeds/001, "#15".
//
// spawn(fn, ...args) returns a Greenlet at once; printing it shows its name,
// its function and its arguments, as gevent's repr does. The greenlet runs
// at the next turn of the loop.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/green-spawn.ts

import { spawn } from 'weft/green';

const g = spawn((..._args: number[]) => 'hello', 1, 2, 3);
console.log(g);
console.log(await g.get());
