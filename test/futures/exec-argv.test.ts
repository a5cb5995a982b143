// A program given inline (`node -e`) that starts child processes: the
// children must not get the inline code in their flags, or each would run
// the program again and start children of its own, for ever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { childExecArgv } from '../../src/internal/exec-argv.js';

test('childExecArgv drops -e/--eval/-p/--print code, --input-type and the inspector, keeps the rest', () => {
  assert.deepEqual(
    childExecArgv([
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      'code()',
      '--max-old-space-size=100',
      '--inspect=9229',
    ]),
    ['--import', 'tsx', '--max-old-space-size=100'],
  );
  assert.deepEqual(childExecArgv(['-p', '1 + 1', '--input-type', 'module', '--eval=x']), []);
  assert.deepEqual(childExecArgv(['--print', 'x', '--no-warnings']), ['--no-warnings']);
});

test('a `node -e` program with a ProcessPoolExecutor and a Process runs its code once', () => {
  const program = `
    const { ProcessPoolExecutor } = await import(${JSON.stringify(new URL('../../dist/futures/index.js', import.meta.url).href)});
    const { Process } = await import(${JSON.stringify(new URL('../../dist/multiprocessing/index.js', import.meta.url).href)});
    console.log('main ran');
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    console.log('sum', await pool.submit((a, b) => a + b, 2, 3));
    await pool.shutdown();
    const p = new Process({ target: () => {} });
    p.start();
    await p.join();
    console.log('exit', p.exitCode);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.deepEqual(r.stdout.split('\n').filter(Boolean), ['main ran', 'sum 5', 'exit 0'], r.stderr);
});
