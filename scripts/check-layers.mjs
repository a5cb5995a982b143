// The layer rule of DESIGN.md, checked (run by `npm run lint`):
//
//   internal → threading, shared, queue → futures, multiprocessing → cli → src/index.ts
//
// A module imports only its own layer or lower ones; asyncio and green
// import only internal; and the worker and child entries (every `entry/`
// directory) form a composition root that nothing imports, save the other
// files of the same entry directory. Every relative specifier counts:
// static, type-only, re-exports and `import('…')` with a literal.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const RANK = {
  internal: 0,
  threading: 1,
  shared: 1,
  queue: 1,
  asyncio: 1,
  green: 1,
  futures: 2,
  multiprocessing: 2,
  cli: 3,
};
/** Layers that may import only `internal` (and themselves). */
const ISOLATED = new Set(['asyncio', 'green']);
const SPECIFIER =
  /(?:\bimport\s*(?:type\s+)?(?:[^'"`;()]*?\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** Where a file of src/ sits: its top directory (or `index` for src/index.ts) and whether it is an entry. */
function place(rel) {
  const parts = rel.split(sep);
  const top = parts.length === 1 ? 'index' : parts[0];
  const entry = parts.includes('entry') ? parts.slice(0, parts.indexOf('entry') + 1).join('/') : '';
  return { top, entry };
}

function rankOf(top) {
  return top === 'index' ? 4 : (RANK[top] ?? 4);
}

/** Every import of `root` (a src/ directory) that breaks the rule, as readable lines. */
export function violations(root) {
  const out = [];
  for (const file of walk(root)) {
    const from = place(relative(root, file));
    const source = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const m of source.matchAll(SPECIFIER)) {
      const target = resolve(dirname(file), m[1]).replace(/\.js$/, '.ts');
      const rel = relative(root, target);
      if (rel.startsWith('..')) continue;
      const to = place(rel);
      const what = `${relative(root, file)} imports ${rel}`;
      if (to.entry !== '' && to.entry !== from.entry) {
        out.push(`${what}: entry files are a composition root that nothing imports`);
      } else if (from.entry !== '' || from.top === to.top) {
        continue;
      } else if (ISOLATED.has(from.top) && to.top !== 'internal') {
        out.push(`${what}: ${from.top} depends only on internal`);
      } else if (rankOf(to.top) > rankOf(from.top)) {
        out.push(`${what}: ${from.top} is below ${to.top}, and nothing imports upward`);
      }
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? 'src');
  const found = violations(root);
  for (const line of found) process.stderr.write(`layers: ${line}\n`);
  if (found.length > 0) {
    process.stderr.write(`layers: ${found.length} import(s) break DESIGN.md's layer rule\n`);
    process.exit(1);
  }
}
