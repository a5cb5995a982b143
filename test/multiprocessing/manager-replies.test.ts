// A served method's result that cannot be copied to its client fails that
// call alone (ERR_NOT_CLONEABLE), from the starting thread (MessagePort) and
// from a child process (socket) alike: the server and every other client
// carry on.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessPoolExecutor, tasks } from '../../src/futures/index.js';
import { Manager } from '../../src/multiprocessing/index.js';

const work = tasks<typeof import('../fixtures/manager-work.js')>(
  new URL('../fixtures/manager-work.ts', import.meta.url),
);

const manager = await Manager.start();
after(() => manager.shutdown());
await manager.register('Uncopiable', work.makeUncopiable);

const code = (c: string) => (e: unknown) => (e as { code?: unknown }).code === c;
const BAD = ['self', 'valueOf', 'fn', 'sym', 'later'];

test('from the starting thread, an uncopiable result fails only its call', async () => {
  const d = await manager.dict({ important: 'data' });
  const o = await manager.create('Uncopiable');
  for (const method of BAD) {
    await assert.rejects(o.call(method), code('ERR_NOT_CLONEABLE'), method);
    // A call batched with the failing one still gets its answer.
    const [bad, good] = await Promise.allSettled([o.call(method), o.call('ok')]);
    assert.equal(bad.status, 'rejected', method);
    assert.deepEqual(good, { status: 'fulfilled', value: 'fine' }, method);
    if (method !== 'later') {
      assert.throws(() => o.callSync(method), code('ERR_NOT_CLONEABLE'), method);
    }
    assert.equal(o.callSync('ok'), 'fine');
    assert.equal(await d.get('important'), 'data');
  }
  assert.deepEqual(await (await manager.dict({ a: 1 })).toObject(), { a: 1 });
});

test('from a child process, an uncopiable result fails only its call', async () => {
  const o = await manager.create('Uncopiable');
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  try {
    for (const method of BAD) {
      assert.deepEqual(await pool.submit(work.callCode, o, method), ['err', 'ERR_NOT_CLONEABLE']);
    }
    assert.deepEqual(await pool.submit(work.callCode, o, 'ok'), ['ok', 'fine']);
    assert.equal(await o.call('ok'), 'fine');
  } finally {
    await pool.shutdown();
  }
});
