// Docs that cannot drift: every ```ts block of a TSDoc @example (and of
// README.md, docs/*.md) type-checks against the public entry points, and the
// self-contained ones run (scripts/check-examples.mjs). The run half needs
// `npm run build` first (the examples run against dist/, as a user's would).
// The API reference (`npm run docs`, typedoc with validation) takes over a
// minute on a loaded 2-core machine, so CI runs it after `npm test` (.ci/run).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { after } from 'node:test';
import { run } from './helpers/examples.js';

const CHECK = 'scripts/check-examples.mjs';
// About 20 s of CPU (a third type-checking, the rest running); the bound is
// for a machine shared with much else.
const TIMEOUT_MS = 600_000;

function report(result: { stdout: string; stderr: string }): string {
  return `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

// Blocks that must fail, each in its own way, checked in the same run as the
// real examples (one run: building the program is most of the cost). Each
// block's first line names it.
const BROKEN = [
  `// good: runs and ends\nimport { Lock } from 'weft/threading';\nconst lock = new Lock();\n{\n  using _ = lock.holdSync();\n}\nconsole.log(lock.locked());`,
  `// no-such-name\nimport { Lock, NoSuchExport } from 'weft/threading';\nnew Lock();`,
  `// type error\nimport { Semaphore } from 'weft/threading';\nconst s: Semaphore = new Semaphore('3');`,
  `// throws\nimport { Lock } from 'weft/threading';\nnew Lock().release();`,
  `// never settles\nawait new Promise(() => {});`,
  `// hangs\nwhile (Date.now() > 0) {}`,
  `// leaves a timer running\nsetInterval(() => {}, 1000);`,
  `// givens: type-checked, not run\ndeclare const lock: import('weft/threading').Lock;\nlock.release();`,
];

const dir = mkdtempSync(join(tmpdir(), 'weft-docs-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const doc = join(dir, 'broken.md');
const lines = new Map<string, number>();
let text = '';
for (const code of BROKEN) {
  lines.set(code.split('\n')[0]!.slice(3), text.split('\n').length + 1); // the line after the fence
  // The two that never end get a short limit of their own (the fence's `timeout=MS`).
  const info = /hangs|leaves/.test(code.split('\n')[0]!) ? 'ts timeout=2000' : 'ts';
  text += '```' + info + '\n' + code + '\n```\n\n';
}
writeFileSync(doc, text);
const checked = run([CHECK, `--doc=${doc}`], TIMEOUT_MS);
const problems = checked.then((r) => r.stderr.split('\n').filter((l) => /^\S+:\d+/.test(l)));

test('every @example and README block type-checks, and the self-contained ones run', async () => {
  const result = await checked;
  const ours = (await problems).filter((p) => !p.includes('broken.md:'));
  assert.deepEqual(ours, [], report(result));
  // Not vacuous: blocks were found, checked and run.
  const typed = /(\d+) blocks type-checked/.exec(result.stdout);
  const ran = /(\d+) self-contained blocks run/.exec(result.stdout);
  assert.ok(typed && Number(typed[1]) >= 90, report(result));
  assert.ok(ran && Number(ran[1]) >= 30, report(result));
});

test('the check fails on a wrong name, a type error, a throw, an unsettled await, a hang and a leftover', async () => {
  const result = await checked;
  assert.equal(result.code, 1, report(result));
  const all = await problems;
  const at = (name: string): string => {
    const line = lines.get(name)!;
    return all
      .filter((p) => p.includes(`(example at line ${line})`) || p.includes(`broken.md:${line}:`))
      .join('\n');
  };
  assert.equal(at('good: runs and ends'), '', report(result));
  assert.equal(at('givens: type-checked, not run'), '', report(result));
  assert.match(
    at('no-such-name'),
    /TS2305: Module '"weft\/threading"' has no exported member 'NoSuchExport'/,
  );
  assert.match(at('type error'), /TS2345/);
  assert.match(at('throws'), /failed when run: StateError/);
  assert.match(at('never settles'), /failed when run: exit code 13/);
  assert.match(at('hangs'), /still running after 2 s/);
  assert.match(at('leaves a timer running'), /still running after 2 s/);
});
