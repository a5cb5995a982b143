// A one-line live progress display for `weft bench`: redrawn in place on a
// terminal (at most every REDRAW_MS), nothing but the final line otherwise.

const REDRAW_MS = 80;
const WIDTH = 24;

/** A progress display on one stream; silent when `stream` is undefined. */
export class Progress {
  readonly #stream: NodeJS.WriteStream | undefined;
  readonly #tty: boolean;
  #label = '';
  #total = 0;
  #done = 0;
  #start = 0;
  #drawn = 0;

  constructor(stream: NodeJS.WriteStream | undefined) {
    this.#stream = stream;
    this.#tty = stream?.isTTY === true;
  }

  /** Starts a new line of work of `total` steps. */
  begin(label: string, total: number): void {
    this.#label = label;
    this.#total = total;
    this.#done = 0;
    this.#start = performance.now();
    this.#drawn = 0;
    this.#draw();
  }

  /** Counts `n` steps done; redraws when due. Cheap enough to call per task. */
  tick(n = 1): void {
    this.#done += n;
    if (this.#tty && performance.now() - this.#drawn >= REDRAW_MS) this.#draw();
  }

  /** Replaces the live line with its final text. */
  end(text: string): void {
    if (this.#stream === undefined) return;
    this.#stream.write(`${this.#tty ? '\r\x1b[2K' : ''}${text}\n`);
  }

  /** Prints a plain line (under the live one, if any). */
  line(text: string): void {
    if (this.#stream === undefined) return;
    this.#stream.write(`${this.#tty ? '\r\x1b[2K' : ''}${text}\n`);
  }

  #draw(): void {
    if (!this.#tty || this.#stream === undefined) return;
    const now = performance.now();
    this.#drawn = now;
    const share = this.#total === 0 ? 1 : Math.min(1, this.#done / this.#total);
    const full = Math.round(share * WIDTH);
    const bar = '█'.repeat(full) + '░'.repeat(WIDTH - full);
    const seconds = ((now - this.#start) / 1000).toFixed(1);
    this.#stream.write(`\r\x1b[2K${this.#label} ${bar} ${this.#done}/${this.#total}  ${seconds} s`);
  }
}
