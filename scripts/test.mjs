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
// The examples tests run the built examples (plain node, as `weft example`
// does) when dist/ is newer than every source they are built from; else the
// sources under tsx (test/helpers/examples.ts).
function newest(dir) {
  return Math.max(
    0,
    ...readdirSync(dir).map((name) => {
      const path = join(dir, name);
      const s = statSync(path);
      return s.isDirectory() ? newest(path) : s.mtimeMs;
    }),
  );
}
const built = statSync('dist/examples', { throwIfNoEntry: false });
const fresh =
  built !== undefined &&
  statSync('dist/cli/main.js', { throwIfNoEntry: false })?.mtimeMs >=
    Math.max(newest('src'), newest('examples'));
const result = spawnSync(
  process.execPath,
  ['--import', './scripts/register-tsx.mjs', '--test', '--test-concurrency=2', ...flags, ...list],
  { stdio: 'inherit', env: { ...process.env, ...(fresh ? { WEFT_TEST_BUILT: '1' } : {}) } },
);
process.exit(result.status ?? 1);
