// The thread registry's limits: more live threads than the first page holds,
// the coded error at the real limit, and deaths remembered after a slot is
// reused. Starting 1,100 real workers (~10 MB each) is too heavy, so these
// tests drive the registry functions with made-up thread ids, far above any
// real one, exactly as Thread.start and the thread pool do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as registry from '../../src/threading/registry.js';
import { Event, Thread } from '../../src/threading/index.js';

// Made-up thread ids: Node hands real ones out from 1, one per worker.
let nextIdent = 5_000_000;

function start(name: string): { slot: number; ident: number } {
  const slot = registry.claim(name, true);
  const ident = nextIdent++;
  registry.setIdent(slot, ident);
  return { slot, ident };
}

function finishAll(threads: readonly { slot: number; ident: number }[]): void {
  for (const { slot, ident } of threads) registry.markDone(slot, ident);
}

test('1,100 live threads each get their own slot: isAlive, join and enumerate stay right past 1,023', async (t) => {
  const threads = Array.from({ length: 1100 }, (_, i) => start(`fake-${i}`));
  t.after(() => finishAll(threads));
  assert.equal(new Set(threads.map((x) => x.slot)).size, 1100, 'distinct slots');
  assert.ok(threads.every(({ slot }) => slot > 0));
  for (const { slot, ident } of threads) assert.equal(registry.isAlive(slot, ident), true);
  const listed = new Set(registry.list().map((e) => e.ident));
  assert.ok(
    threads.every(({ ident }) => listed.has(ident)),
    'enumerate lists every live thread',
  );
  const last = threads[threads.length - 1]!;
  assert.equal(
    registry.joinSync(last.slot, last.ident, 0),
    false,
    'a running thread is not joined',
  );
  assert.equal(await registry.join(last.slot, last.ident, 0), false);
  registry.markDone(last.slot, last.ident);
  assert.equal(registry.isAlive(last.slot, last.ident), false);
  assert.equal(registry.joinSync(last.slot, last.ident, 0), true);
});

test('a thread stays known dead after its slot is reused, many times over', (t) => {
  const dead: { slot: number; ident: number }[] = [];
  const live: { slot: number; ident: number }[] = [];
  t.after(() => finishAll(live));
  // Fill past the first page, finish everything, and start as many again:
  // every new thread lands in a finished one's slot.
  for (let round = 0; round < 3; round++) {
    const batch = Array.from({ length: 1100 }, (_, i) => start(`round-${round}-${i}`));
    finishAll(batch);
    dead.push(...batch);
  }
  for (let i = 0; i < 1100; i++) live.push(start(`after-${i}`));
  const reused = new Set(live.map((x) => x.slot));
  assert.ok(
    dead.some(({ slot }) => reused.has(slot)),
    'finished threads’ slots were reused',
  );
  for (const { slot, ident } of dead) {
    assert.equal(registry.isKnownDead(ident), true, `thread ${ident} is still known dead`);
    assert.equal(registry.isAlive(slot, ident), false);
  }
  for (const { slot, ident } of live) {
    assert.equal(registry.isKnownDead(ident), false);
    assert.equal(registry.isAlive(slot, ident), true);
  }
});

test('killed: only a thread weft marked killed before it died reads wasKilled', () => {
  const [a, b, c] = [start('killed'), start('ended'), start('ended-then-marked')];
  registry.markKilled(a.ident);
  assert.equal(registry.wasKilled(a.ident), false, 'not killed until it is gone');
  assert.equal(registry.isKnownDead(a.ident), false);
  registry.markDone(a.slot, a.ident);
  assert.equal(registry.wasKilled(a.ident), true);
  registry.markDone(b.slot, b.ident);
  assert.equal(registry.isKnownDead(b.ident), true);
  assert.equal(registry.wasKilled(b.ident), false, 'a thread that ended on its own was not killed');
  registry.markDone(c.slot, c.ident);
  registry.markKilled(c.ident);
  assert.equal(registry.wasKilled(c.ident), false, 'a kill after its end changes nothing');
  // Threads weft never started are unknown: neither dead nor killed.
  assert.equal(registry.isKnownDead(nextIdent + 1000), false);
  assert.equal(registry.wasKilled(nextIdent + 1000), false);
});

test(`at ${registry.MAX_THREADS} live threads, claim throws ERR_TOO_MANY_THREADS; a finished thread's slot is then reused`, (t) => {
  const threads: { slot: number; ident: number }[] = [];
  t.after(() => finishAll(threads));
  const room = registry.MAX_THREADS - registry.list().length;
  for (let i = 0; i < room; i++) threads.push(start(`max-${i}`));
  assert.throws(() => registry.claim('one too many', true), { code: 'ERR_TOO_MANY_THREADS' });
  const [first] = threads;
  registry.markDone(first!.slot, first!.ident);
  const again = registry.claim('after one finished', true);
  assert.equal(again, first!.slot);
  registry.setIdent(again, nextIdent);
  threads.push({ slot: again, ident: nextIdent++ });
  assert.throws(() => registry.setIdent(again, registry.MAX_IDENT + 1), {
    code: 'ERR_TOO_MANY_THREADS',
  });
});

test('a real thread is known dead once it finished, and not before', async () => {
  const release = new Event();
  const thread = new Thread({ target: (e: Event) => e.waitSync(), args: [release], daemon: true });
  thread.start();
  const ident = thread.ident!;
  assert.equal(registry.isKnownDead(ident), false);
  release.set();
  assert.equal(await thread.join({ timeout: 20_000 }), true);
  assert.equal(registry.isKnownDead(ident), true);
  assert.equal(registry.wasKilled(ident), false);
});
