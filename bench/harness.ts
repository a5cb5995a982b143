// A small benchmark harness shared by every suite under bench/.
//
// The machines this runs on are small, shared VMs whose speed drifts by 2-4x
// over minutes (node-atomics-facts). So the harness never trusts one long
// measurement: it runs every case once per round, rotating the order each
// round so no case always runs first (cold) or last (after GC pressure from
// the others), discards warm-up rounds, and reports medians over rounds. Ratios
// are computed within a round (the paired case/reference value of that round)
// and their median reported, so drift that hits all cases of a round cancels.
// Compare ratios, not absolute numbers, across runs.

/** What a suite module gets from bench/main.ts. */
export interface BenchOptions {
  /** A fast smoke run: fewer and shorter rounds. */
  readonly quick: boolean;
  /** Called with each finished suite (prints it, or collects it for --json). */
  readonly report: (result: SuiteResult) => void;
  /** Whether to run the suite of this title (`--filter`); check before any setup. */
  readonly selects: (title: string) => boolean;
}

/** A suite module: bench/<name>.ts exports `run`. */
export type SuiteModule = { run(options: BenchOptions): Promise<void> };

/** One case's result for one round. */
export interface Measurement {
  /** The measured value, e.g. 23.4 for "ns/op". */
  readonly value: number;
  /** Unit of `value`. Ratios are only computed between cases of the same unit. */
  readonly unit: string;
  /** Correctness checks for this round; the table shows whether each held in every round. */
  readonly checks?: Readonly<Record<string, boolean>>;
  /** Extra numbers for this round (e.g. lock handoffs); the table shows their median. */
  readonly extras?: Readonly<Record<string, number>>;
}

/** What a case's `run` is told about the round it runs in. */
export interface RoundContext {
  /** 0-based; warm-up rounds are numbered first. */
  readonly round: number;
  /** True during warm-up rounds, whose results are discarded (a case may calibrate then). */
  readonly warmup: boolean;
  /** Suggested wall-clock time in ms for one run of one case. */
  readonly roundMs: number;
}

export interface BenchCase {
  readonly name: string;
  /** Runs once before the first round (e.g. start workers). */
  readonly setup?: () => void | Promise<void>;
  /** Runs the case once and measures it. */
  readonly run: (ctx: RoundContext) => Measurement | Promise<Measurement>;
  /** Runs once after the last round, also when a round threw. */
  readonly teardown?: () => void | Promise<void>;
}

export interface SuiteOptions {
  readonly title: string;
  readonly cases: readonly BenchCase[];
  /** Measured rounds. */
  readonly rounds: number;
  /** Warm-up rounds run (interleaved too) before the measured ones. */
  readonly warmup: number;
  /** Passed to each run as `ctx.roundMs`. @default 100 */
  readonly roundMs?: number;
  /** Name of the case every other case is compared to. @default the first case */
  readonly baseline?: string;
  /** Names of further cases to add a ratio column for. */
  readonly compareTo?: readonly string[];
  /** Lines printed under the table. */
  readonly notes?: readonly string[];
  /** Where progress lines go. @default stderr */
  readonly log?: (line: string) => void;
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface CaseResult {
  readonly name: string;
  readonly unit: string | undefined;
  /** Measured values, in round order (warm-up excluded). */
  readonly values: readonly number[];
  readonly stats: Stats | undefined;
  /** Median over rounds of value / reference value, keyed by reference case name. */
  readonly ratios: Readonly<Record<string, Stats | undefined>>;
  /** For each check: in how many measured rounds it held, out of how many it was reported. */
  readonly checks: Readonly<Record<string, { readonly passed: number; readonly total: number }>>;
  readonly extras: Readonly<Record<string, Stats>>;
  /** Set when setup or a run threw; the case then stopped taking part. */
  readonly error?: string;
}

export interface SuiteResult {
  readonly title: string;
  readonly rounds: number;
  readonly warmup: number;
  readonly roundMs: number;
  readonly baseline: string;
  readonly references: readonly string[];
  readonly cases: readonly CaseResult[];
  readonly notes: readonly string[];
}

interface CaseState {
  readonly spec: BenchCase;
  unit: string | undefined;
  // Per measured round, undefined when the case did not run that round.
  readonly values: (number | undefined)[];
  readonly checks: Map<string, { passed: number; total: number }>;
  readonly extras: Map<string, number[]>;
  error: string | undefined;
}

/**
 * Runs all cases of a suite, interleaved and rotated round by round, and
 * returns the statistics. Prints nothing to stdout; see {@link formatSuite}.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const { title, cases, rounds, warmup } = options;
  const roundMs = options.roundMs ?? 100;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  if (cases.length === 0) throw new RangeError(`Expected suite \`${title}\` to have cases`);
  const names = new Set(cases.map((c) => c.name));
  if (names.size !== cases.length) throw new RangeError(`Duplicate case names in \`${title}\``);
  const baseline = options.baseline ?? cases[0]!.name;
  const references = [baseline, ...(options.compareTo ?? []).filter((n) => n !== baseline)];
  for (const ref of references) {
    if (!names.has(ref)) throw new RangeError(`Unknown reference case \`${ref}\` in \`${title}\``);
  }

  const states: CaseState[] = cases.map((spec) => ({
    spec,
    unit: undefined,
    values: [],
    checks: new Map(),
    extras: new Map(),
    error: undefined,
  }));

  log(`# ${title}: ${warmup} warm-up + ${rounds} rounds x ${cases.length} cases`);
  try {
    for (const s of states) {
      try {
        await s.spec.setup?.();
      } catch (err) {
        s.error = `setup: ${describe(err)}`;
        log(`  ${s.spec.name}: ${s.error}`);
      }
    }
    const total = warmup + rounds;
    for (let round = 0; round < total; round++) {
      const isWarmup = round < warmup;
      for (let k = 0; k < states.length; k++) {
        const s = states[(round + k) % states.length]!;
        if (s.error !== undefined) continue;
        try {
          const m = await s.spec.run({ round, warmup: isWarmup, roundMs });
          if (isWarmup) continue;
          if (!Number.isFinite(m.value)) throw new RangeError(`measured ${m.value}`);
          if (s.unit !== undefined && s.unit !== m.unit) {
            throw new RangeError(`unit changed from ${s.unit} to ${m.unit}`);
          }
          s.unit = m.unit;
          s.values[round - warmup] = m.value;
          for (const [key, ok] of Object.entries(m.checks ?? {})) {
            const c = s.checks.get(key) ?? { passed: 0, total: 0 };
            c.total++;
            if (ok) c.passed++;
            s.checks.set(key, c);
          }
          for (const [key, v] of Object.entries(m.extras ?? {})) {
            const list = s.extras.get(key) ?? [];
            list.push(v);
            s.extras.set(key, list);
          }
        } catch (err) {
          s.error = `round ${round + 1}: ${describe(err)}`;
          log(`  ${s.spec.name}: ${s.error}`);
        }
      }
      if (!isWarmup) log(`  round ${round - warmup + 1}/${rounds} done`);
    }
  } finally {
    for (const s of states) {
      try {
        await s.spec.teardown?.();
      } catch (err) {
        log(`  ${s.spec.name}: teardown: ${describe(err)}`);
      }
    }
  }

  const byName = new Map(states.map((s) => [s.spec.name, s]));
  const results: CaseResult[] = states.map((s) => {
    const values = s.values.filter((v): v is number => v !== undefined);
    const ratios: Record<string, Stats | undefined> = {};
    for (const ref of references) {
      const r = byName.get(ref)!;
      if (r.unit === undefined || r.unit !== s.unit) {
        ratios[ref] = undefined;
        continue;
      }
      const paired: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const a = s.values[i];
        const b = r.values[i];
        if (a !== undefined && b !== undefined && b !== 0) paired.push(a / b);
      }
      ratios[ref] = stats(paired);
    }
    const extras: Record<string, Stats> = {};
    for (const [key, list] of s.extras) extras[key] = stats(list)!;
    return {
      name: s.spec.name,
      unit: s.unit,
      values,
      stats: stats(values),
      ratios,
      checks: Object.fromEntries(s.checks),
      extras,
      ...(s.error === undefined ? {} : { error: s.error }),
    };
  });

  return {
    title,
    rounds,
    warmup,
    roundMs,
    baseline,
    references,
    cases: results,
    notes: options.notes ?? [],
  };
}

/** Median, min and max; undefined for no values. */
export function stats(values: readonly number[]): Stats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Formats a number with about 3 significant digits and a k/M/G suffix for large ones. */
export function formatValue(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${trim(v / 1e9)} G`;
  if (abs >= 1e6) return `${trim(v / 1e6)} M`;
  if (abs >= 1e4) return `${trim(v / 1e3)} k`;
  return trim(v);
}

function trim(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 100 || Number.isInteger(v)) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

function formatRatio(r: Stats | undefined): string {
  if (r === undefined) return '-';
  const m = r.median;
  return m >= 100 ? `${m.toFixed(0)}x` : m >= 10 ? `${m.toFixed(1)}x` : `${m.toFixed(2)}x`;
}

/** Renders a suite's result as a plain-text table. */
export function formatSuite(result: SuiteResult): string {
  const units = new Set(result.cases.map((c) => c.unit).filter((u) => u !== undefined));
  const unit = units.size === 1 ? [...units][0]! : undefined;
  const checkKeys = [...new Set(result.cases.flatMap((c) => Object.keys(c.checks)))];
  const extraKeys = [...new Set(result.cases.flatMap((c) => Object.keys(c.extras)))];

  const header = [
    'case',
    unit === undefined ? 'median' : `median ${unit}`,
    'min-max',
    ...result.references.map((r) => `vs ${r}`),
    ...checkKeys,
    ...extraKeys,
  ];
  const rows = result.cases.map((c) => {
    if (c.stats === undefined) {
      return [c.name, `FAILED: ${c.error ?? 'no result'}`];
    }
    const s = c.stats;
    return [
      c.name,
      formatValue(s.median) + (unit === undefined ? ` ${c.unit ?? ''}` : ''),
      `${formatValue(s.min)}-${formatValue(s.max)}`,
      ...result.references.map((r) => formatRatio(c.ratios[r])),
      ...checkKeys.map((k) => {
        const ck = c.checks[k];
        if (ck === undefined) return '-';
        return ck.passed === ck.total ? 'yes' : `NO (${ck.total - ck.passed}/${ck.total} rounds)`;
      }),
      ...extraKeys.map((k) => {
        const e = c.extras[k];
        return e === undefined ? '-' : formatValue(e.median);
      }),
    ].concat(c.error === undefined ? [] : [`(stopped: ${c.error})`]);
  });

  const table = [header, ...rows];
  const widths: number[] = [];
  for (const row of table) {
    // A FAILED row spans the columns; do not let it widen them.
    if (row.length === 2 && row[1]!.startsWith('FAILED')) continue;
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();

  const out = [
    `== ${result.title}`,
    `   ${result.rounds} rounds (after ${result.warmup} warm-up), cases interleaved and rotated each round; ` +
      `median [min-max] over rounds`,
    line(header),
    line(header.map((_, i) => '-'.repeat(widths[i] ?? 0))),
    ...rows.map(line),
    `   vs X = median over rounds of (case / X) measured in the same round` +
      (unit === undefined ? '' : `; unit ${unit}`),
    ...result.notes.map((n) => `   ${n}`),
  ];
  return out.join('\n') + '\n';
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
