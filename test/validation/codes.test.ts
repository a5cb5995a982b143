// The catalogue of error codes (src/internal/codes.ts) cannot drift from the
// code: every 'ERR_…' literal in src/ is listed there, every listed code is
// used, and no error is built in src/ without a code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const srcDir = join(root, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const CATALOGUE = join(srcDir, 'internal', 'codes.ts');

function catalogue(): Set<string> {
  const text = readFileSync(CATALOGUE, 'utf8');
  const union = text.slice(text.indexOf('export type ErrorCode'));
  return new Set([...union.matchAll(/\|\s*'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]!));
}

test('every ERR_ literal in src/ is in the ErrorCode catalogue, and every catalogued code is used', () => {
  const listed = catalogue();
  assert.ok(listed.size > 40, `the catalogue parsed (${listed.size} codes)`);
  const used = new Map<string, string>();
  for (const file of sources(srcDir)) {
    if (file === CATALOGUE) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/['"`](ERR_[A-Z0-9_]+)['"`]/g)) {
      if (listed.has(m[1]!)) {
        used.set(m[1]!, relative(root, file));
        continue;
      }
      assert.fail(
        `${relative(root, file)} uses ${m[1]}, which src/internal/codes.ts does not list`,
      );
    }
  }
  const unused = [...listed].filter((c) => !used.has(c));
  assert.deepEqual(unused, [], 'codes listed in the catalogue but thrown nowhere');
});

test('no error is built in src/ without a code: no bare new TypeError / RangeError / Error', () => {
  // Errors that are not weft's own: a user's non-Error throw wrapped for the
  // wire, and a thread's error rebuilt from its message.
  const allowed = [/Non-error thrown/, /new Error\(message\.message\)/];
  const bare: string[] = [];
  for (const file of sources(srcDir)) {
    if (file.includes(`${join('src', 'cli')}`)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/\bnew (TypeError|RangeError|Error)\(/.test(line)) return;
      if (/^\s*(\*|\/\/)/.test(line)) return;
      if (allowed.some((re) => re.test(line))) return;
      // A coded error built by hand: the code is set within the next lines.
      if (/'code'/.test(lines.slice(i, i + 8).join('\n'))) return;
      bare.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(bare, []);
});

test('WeftError.code is typed ErrorCode, and the root entry exports the type', async () => {
  const errors = readFileSync(join(srcDir, 'internal', 'errors.ts'), 'utf8');
  assert.match(errors, /readonly code: ErrorCode;/);
  const index = readFileSync(join(srcDir, 'index.ts'), 'utf8');
  assert.match(index, /export type \{[^}]*\bErrorCode\b[^}]*\}/);
  // Type-level: a code outside the catalogue does not compile (checked by tsc).
  const { WeftError } = await import('../../src/index.js');
  const e = new WeftError('ERR_TIMEOUT', 'x');
  assert.equal(e.code, 'ERR_TIMEOUT');
  // @ts-expect-error -- not a catalogued code
  void new WeftError('ERR_MADE_UP', 'x');
});

test('README lists every code of the catalogue', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const missing = [...catalogue()].filter((c) => !readme.includes(`\`${c}\``));
  assert.deepEqual(missing, []);
});
