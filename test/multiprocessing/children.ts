// Child processes running test/fixtures/manager-child.ts, for the Manager tests.
import { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decode, encode, type SharedTable } from '../../src/internal/codec.js';

const CHILD = fileURLToPath(new URL('../fixtures/manager-child.ts', import.meta.url));
/** Longest any step may take before the test fails instead of hanging. */
export const DEADLINE = 60_000;

type Reply = Record<string, unknown>;

/** A child process running test/fixtures/manager-child.ts; killed when the test ends. */
export class Child {
  readonly process: ChildProcess;
  readonly #replies: Reply[] = [];
  #wake: (() => void) | undefined;
  readonly exited: Promise<void>;

  constructor(t: TestContext) {
    this.process = fork(CHILD, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (raw: { value: unknown; table: SharedTable | undefined }) => {
      this.#replies.push(decode(raw.value, raw.table) as Reply);
      this.#wake?.();
    });
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()));
    t.after(async () => {
      this.process.kill('SIGKILL');
      await this.exited;
    });
  }

  send(op: string, ...args: unknown[]): void {
    const { value, table } = encode([op, ...args]);
    this.process.send({ value, table });
  }

  /** The next message from the child (fails after the deadline). */
  async next(timeout = DEADLINE): Promise<Reply> {
    const end = performance.now() + timeout;
    while (this.#replies.length === 0) {
      if (performance.now() > end) assert.fail('the child did not answer');
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    const reply = this.#replies.shift()!;
    if (reply.error !== undefined) assert.fail(`the child failed: ${JSON.stringify(reply.error)}`);
    return reply;
  }

  async kill(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.exited;
  }
}

export async function until(condition: () => boolean, what: string): Promise<void> {
  const end = performance.now() + DEADLINE;
  while (!condition()) {
    if (performance.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
