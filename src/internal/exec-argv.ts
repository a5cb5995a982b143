// The Node flags of a child process weft forks (a ProcessPoolExecutor's or a
// Process's child).

/**
 * The Node flags a child gets: this process's, less the debugger's and the
 * code this process was given inline (`-e`/`--eval`/`-p`/`--print` and
 * `--input-type`), which a child must not run again: it would start
 * children of its own, for ever.
 */
export function childExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^(-e|--eval|-p|--print|-pe)$/.test(arg)) {
      i++;
      continue;
    }
    if (/^(--eval|--print|--input-type)=/.test(arg) || arg === '--input-type') {
      if (arg === '--input-type') i++;
      continue;
    }
    if (/^--(inspect|debug)/.test(arg)) continue;
    out.push(arg);
  }
  return out;
}
