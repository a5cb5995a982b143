// Runs an example (or any node command) as its own program from the repo
// root, as a user would: the built example (dist/examples, what `weft
// example` runs, with plain node) when scripts/test.mjs found dist/ fresh,
// else the source under the tsx preload. Shared by the examples tests.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TIMEOUT_MS = 60_000;

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: string[];
}

export function run(args: readonly string[], timeout = TIMEOUT_MS): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, lines: stdout.split('\n').filter((l) => l !== '') });
    });
  });
}

export async function runExample(
  name: string,
  { quietStderr = true, timeout = TIMEOUT_MS } = {},
): Promise<Run> {
  // Built: no loader start in each thread and child (~0.3 s each under tsx).
  const built = process.env.WEFT_TEST_BUILT === '1';
  const result = await run(
    built
      ? [`dist/examples/${name}.js`]
      : ['--import', './scripts/register-tsx.mjs', `examples/${name}.ts`],
    timeout,
  );
  assert.equal(
    result.code,
    0,
    `examples/${name}.ts exited with ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
  );
  if (quietStderr) assert.equal(result.stderr, '', `examples/${name}.ts wrote to stderr`);
  return result;
}

/** The lines matching `pattern`, as their first capture group (or whole match). */
export function grab(lines: readonly string[], pattern: RegExp): string[] {
  return lines.flatMap((line) => {
    const m = pattern.exec(line);
    return m === null ? [] : [m[1] ?? m[0]];
  });
}
