// Runs every test/**/*.test.ts with node:test under the tsx preload (Node 20's
// --test does not expand globs). Extra arguments are passed to node --test,
// e.g. `node scripts/test.mjs --test-name-pattern=Barrier`; file paths given
// as arguments replace the default list.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.ts'));
const flags = args.filter((a) => !a.endsWith('.ts'));
const list = files.length > 0 ? files : find('test').sort();
const result = spawnSync(
  process.execPath,
  ['--import', './scripts/register-tsx.mjs', '--test', '--test-concurrency=2', ...flags, ...list],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
