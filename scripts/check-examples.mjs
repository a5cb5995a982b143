// Type-checks every ```ts block inside a TSDoc `@example` in src/**, and the
// ```ts blocks of README.md and docs/*.md, then runs the self-contained ones.
// Also reports public value exports that have no `@example`.
//
// The convention (README, "Development"):
// - Each block is a module of its own (top-level await allowed), compiled
//   with the project's tsconfig against the public entry points
//   (`weft/threading` → src/threading/index.ts through `paths`).
// - A block in src/<module>/ sees that module's public exports (src/internal:
//   the root `weft`'s, and its own file's) without importing them: the names
//   it uses but neither declares nor imports are imported for it.
// - Anything else the block needs is declared in the block itself, as
//   `declare const urls: string[];` lines (its givens), or is a shared given.
// - A block whose first line is `// @filename: work.ts` is that file, next to
//   the other blocks of the same doc (README's work.ts), so `./work.js` in a
//   sibling block resolves to it.
// - Names common to many examples (`pool`, `work`, `lock`, `url`, …) are
//   givens too, declared once in scripts/examples/givens/<module>.ts and
//   common.ts; the fixtures in scripts/examples/fixtures/ (work.ts, …) sit
//   next to every doc's blocks, so `./work.js` resolves.
// - A block that uses no givens (none declared, none from the givens files)
//   is self-contained and is RUN: compiled to JavaScript against the built
//   package (dist/, as a user runs it), in a worker thread of its own with a
//   timeout (20 s, or ```ts timeout=MS); it must end by itself, leaving
//   nothing running. ```ts no-run keeps a block type-checked only (it
//   benchmarks, or needs the network).
//
// Usage: node scripts/check-examples.mjs [--no-run] [--list] [--quiet] [--verbose]
//          [--timeout=MS] [--doc=FILE.md ...] [FILTER...]
//   --timeout: how long one example may run (default 20 s).
//   --doc: check the ```ts blocks of another markdown file too.
//   FILTER: only blocks whose source path contains one of the strings.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GIVENS = join(ROOT, 'scripts', 'examples', 'givens');
const FIXTURES = join(ROOT, 'scripts', 'examples', 'fixtures');
const argv = process.argv.slice(2);
const flags = new Set(argv.filter((a) => a.startsWith('--') && !a.includes('=')));
const values = (name) =>
  argv.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
const filters = argv.filter((a) => !a.startsWith('--'));
const RUN_TIMEOUT_MS = Number(values('timeout')[0] ?? 20_000);
const EXTRA_DOCS = values('doc').map((f) => resolve(f));
const RUN = !flags.has('--no-run') && !flags.has('--list');
const QUIET = flags.has('--quiet');

// ---------------------------------------------------------------- extraction

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const FENCE = /^(\s*)(`{3,})\s*(\S*)\s*(.*)$/;
const LANGS = new Set(['ts', 'typescript']);

/** A fence line's parts; CommonMark: a backtick fence's info string holds no backtick (else it is inline code). */
function fenceOf(line) {
  const open = FENCE.exec(line);
  return open && !`${open[3]}${open[4]}`.includes('`') ? open : null;
}

/** Fenced blocks of markdown lines; `offset` is the 1-based line of lines[0]. */
function fences(lines, offset, source, problems) {
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = fenceOf(lines[i]);
    if (!open) continue;
    const [, indent, ticks, lang, info] = open;
    let j = i + 1;
    while (
      j < lines.length &&
      !(lines[j].trim().startsWith(ticks) && lines[j].trim().replace(/`/g, '') === '')
    )
      j++;
    if (j === lines.length) problems.push(`${source}:${offset + i}: unclosed code fence`);
    if (LANGS.has(lang)) {
      const body = lines
        .slice(i + 1, j)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      blocks.push({
        source,
        line: offset + i + 1,
        code: body.join('\n'),
        tags: new Set(info.split(/\s+/).filter(Boolean)),
      });
    }
    i = j;
  }
  return blocks;
}

/** The ```ts blocks inside `@example` sections of the TSDoc comments of a .ts file. */
function tsdocBlocks(path, problems) {
  const text = readFileSync(path, 'utf8');
  const source = relative(ROOT, path).split(sep).join('/');
  const blocks = [];
  for (const match of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    if (!match[0].includes('@example')) continue;
    const first = text.slice(0, match.index).split('\n').length;
    const lines = match[0]
      .split('\n')
      .map((l) => l.replace(/^\s*\/?\*\*?\/?(?: |$)/, '').replace(/\s*\*\/$/, ''));
    let inFence = false;
    let section;
    const flush = () => {
      if (section === undefined) return;
      const found = fences(section.lines, section.start, source, problems);
      if (found.length === 0)
        problems.push(`${source}:${section.start}: an @example holds no \`\`\`ts block`);
      blocks.push(...found);
      section = undefined;
    };
    lines.forEach((line, i) => {
      const tag = inFence ? null : /^\s*@(\w+)/.exec(line);
      if (fenceOf(line)) inFence = !inFence;
      if (tag) {
        flush();
        if (tag[1] !== 'example') return;
        const rest = line.replace(/^\s*@example\s*/, '');
        section = { start: first + i + (rest === '' ? 1 : 0), lines: rest === '' ? [] : [rest] };
        return;
      }
      section?.lines.push(line);
    });
    flush();
  }
  return blocks;
}

function markdownBlocks(path, problems) {
  const source = relative(ROOT, path).split(sep).join('/');
  return fences(readFileSync(path, 'utf8').split('\n'), 1, source, problems);
}

// ------------------------------------------------------------ public modules

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** specifier → entry file, from package.json's exports (weft, weft/threading, …). */
const ENTRIES = new Map();
for (const [key, target] of Object.entries(pkg.exports)) {
  const types = typeof target === 'object' && target !== null ? target.types : undefined;
  if (typeof types !== 'string') continue;
  const file = join(ROOT, types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts'));
  ENTRIES.set(key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`, file);
}

/** The givens files whose exports a block of `home` may use without declaring them. */
function givensOf(home) {
  const name =
    home === pkg.name
      ? 'weft'
      : home?.startsWith(`${pkg.name}/`)
        ? home.slice(pkg.name.length + 1)
        : '';
  return [join(GIVENS, `${name}.ts`), join(GIVENS, 'common.ts')]
    .filter((f) => name !== '' || f.endsWith('common.ts'))
    .filter((f) => ts.sys.fileExists(f));
}

/** The module whose exports a block in `source` may use without importing. */
function homeOf(source) {
  const parts = source.split('/');
  if (parts[0] !== 'src') return undefined;
  if (parts.length > 2 && ENTRIES.has(`${pkg.name}/${parts[1]}`)) return `${pkg.name}/${parts[1]}`;
  if (parts[1] === 'internal' || parts.length === 2) return pkg.name;
  return join(ROOT, source); // not public (src/cli): the file's own exports
}

function compilerOptions() {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
  };
}

/** name → whether it is a value (else type-only), for each module's exports. */
function exportTables(program, modules) {
  const checker = program.getTypeChecker();
  const tables = new Map();
  for (const [specifier, file] of modules) {
    const sf = program.getSourceFile(file);
    const symbol = sf && checker.getSymbolAtLocation(sf);
    const table = new Map();
    for (const exported of symbol ? checker.getExportsOfModule(symbol) : []) {
      const target =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      table.set(exported.name, (target.flags & ts.SymbolFlags.Value) !== 0);
    }
    tables.set(specifier, table);
  }
  return tables;
}

/** Public value exports (classes, functions, constants) whose declaration has no @example. */
function missingExamples(program) {
  const checker = program.getTypeChecker();
  const missing = new Map();
  for (const [specifier, file] of ENTRIES) {
    const sf = program.getSourceFile(file);
    const symbol = sf && checker.getSymbolAtLocation(sf);
    for (const exported of symbol ? checker.getExportsOfModule(symbol) : []) {
      const target =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if ((target.flags & ts.SymbolFlags.Value) === 0) continue;
      const decls = target.declarations ?? [];
      if (decls.some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === 'example'))) continue;
      const d = decls[0];
      if (d === undefined) continue;
      const where = `${relative(ROOT, d.getSourceFile().fileName)}:${d.getSourceFile().getLineAndCharacterOfPosition(d.getStart()).line + 1}`;
      if (!missing.has(where))
        missing.set(where, `${where}: \`${exported.name}\` (${specifier}) has no @example`);
    }
  }
  return [...missing.values()];
}

// ------------------------------------------------------------------- blocks

/** Top-level names a block declares or imports, and whether it has `declare` givens. */
function scan(code) {
  const sf = ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2022, true);
  const names = new Set();
  let givens = false;
  const bind = (name) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  for (const st of sf.statements) {
    if (
      ts.canHaveModifiers(st) &&
      ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)
    )
      givens = true;
    if (ts.isVariableStatement(st)) st.declarationList.declarations.forEach((d) => bind(d.name));
    else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) names.add(c.name.text);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings))
        names.add(c.namedBindings.name.text);
      else c.namedBindings?.elements.forEach((e) => names.add(e.name.text));
    } else if (ts.isImportEqualsDeclaration(st) || (st.name && ts.isIdentifier(st.name))) {
      names.add(st.name.text);
    }
  }
  return { names, givens };
}

/** Identifiers a block mentions anywhere (a superset of what it uses). */
function mentioned(code) {
  const sf = ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2022, true);
  const seen = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node)) seen.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return seen;
}

function slug(source) {
  return source.replace(/[^A-Za-z0-9]+/g, '_');
}

// --------------------------------------------------------------------- main

const problems = [];
let blocks = [
  ...walk(join(ROOT, 'src'))
    .sort()
    .flatMap((p) => tsdocBlocks(p, problems)),
  ...markdownBlocks(join(ROOT, 'README.md'), problems),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .sort()
    .flatMap((n) => markdownBlocks(join(ROOT, 'docs', n), problems)),
  ...EXTRA_DOCS.flatMap((f) => markdownBlocks(f, problems)),
];
if (filters.length > 0) blocks = blocks.filter((b) => filters.some((f) => b.source.includes(f)));

if (flags.has('--list')) {
  for (const b of blocks)
    console.log(`--- ${b.source}:${b.line} ${[...b.tags].join(' ')}\n${b.code}`);
  process.exit(0);
}

const started = performance.now();
const options = compilerOptions();
const host = ts.createCompilerHost(options);
const homes = new Map([...ENTRIES]);
for (const b of blocks) {
  const home = homeOf(b.source);
  if (home !== undefined && !homes.has(home)) homes.set(home, home);
  if (b.source.startsWith('src/internal/')) homes.set(join(ROOT, b.source), join(ROOT, b.source));
  for (const g of givensOf(home)) homes.set(g, g);
}
const base = ts.createProgram({ rootNames: [...new Set(homes.values())], options, host });
const tables = exportTables(base, homes);
const fixtures = readdirSync(FIXTURES).filter((n) => n.endsWith('.ts'));

// Each doc's blocks live in a directory of their own under a root inside the
// repo (so package.json's "type": "module" and node_modules apply); they exist
// only in memory for the type check.
const VROOT = join(ROOT, '.examples');
const virtual = new Map();
for (const b of blocks) {
  const named = /^\s*\/\/\s*@filename:\s*(\S+)\s*$/m.exec(b.code.split('\n')[0] ?? '');
  b.file = join(VROOT, slug(b.source), named ? named[1] : `line-${b.line}.ts`);
  const { names, givens } = scan(b.code);
  b.givens = givens;
  b.module = named !== null;
  const home = homeOf(b.source);
  // Names the block uses but neither declares nor imports: from the home
  // module's exports first, then from its givens. One prepended line, so a
  // block's line n is the file's line n + 1.
  const wanted = [...mentioned(b.code)].filter((n) => !names.has(n));
  const imports = [];
  // src/internal documents internals too: its blocks also see their own file's exports.
  const own = b.source.startsWith('src/internal/') ? [join(ROOT, b.source)] : [];
  for (const from of [home, ...own, ...givensOf(home)]) {
    const table = from === undefined ? undefined : tables.get(from);
    if (table === undefined) continue;
    const take = wanted.filter((n) => table.has(n));
    if (take.length === 0) continue;
    for (const n of take) names.add(n);
    wanted.splice(0, wanted.length, ...wanted.filter((n) => !table.has(n)));
    if ((from === home || own.includes(from)) && from.startsWith('/')) b.internal = true; // not in dist/'s public entries
    const specifier = from.startsWith('/') ? from.replace(/\.ts$/, '.js') : from;
    imports.push(
      `import { ${take.map((n) => (table.get(n) ? n : `type ${n}`)).join(', ')} } from '${specifier}';`,
    );
  }
  b.text = `${imports.join(' ')}\n${b.code}\n`;
  if (virtual.has(b.file))
    problems.push(`${b.source}:${b.line}: two blocks write ${relative(VROOT, b.file)}`);
  virtual.set(b.file, b);
}

// The shared fixtures (./work.js, ./errors.js) next to each doc's blocks, unless the doc writes its own.
for (const dir of new Set([...virtual.keys()].map((f) => dirname(f)))) {
  for (const name of fixtures) {
    const file = join(dir, name);
    if (virtual.has(file)) continue;
    const text = readFileSync(join(FIXTURES, name), 'utf8');
    virtual.set(file, {
      source: relative(ROOT, join(FIXTURES, name)),
      line: 1,
      file,
      text,
      fixture: true,
      tags: new Set(),
    });
  }
}

const checkHost = {
  ...host,
  fileExists: (f) => virtual.has(f) || host.fileExists(f),
  readFile: (f) => virtual.get(f)?.text ?? host.readFile(f),
  getSourceFile: (f, lang, onError, fresh) => {
    const b = virtual.get(f);
    if (b !== undefined) return ts.createSourceFile(f, b.text, lang, true);
    return host.getSourceFile(f, lang, onError, fresh);
  },
  directoryExists: (d) =>
    d === VROOT ||
    d.startsWith(VROOT + sep) ||
    (host.directoryExists?.(d) ?? ts.sys.directoryExists(d)),
};
const program = ts.createProgram({
  rootNames: [...virtual.keys()],
  options,
  host: checkHost,
  oldProgram: base,
});
let failed = 0;
const checker = program.getTypeChecker();

/** Whether a block's own code refers to a name imported from a givens file (a local of the same name does not). */
function usesGivens(sf) {
  const start = sf.getLineStarts()[1] ?? 0;
  let found = false;
  const visit = (node) => {
    if (found) return;
    if (ts.isIdentifier(node) && node.getStart(sf) >= start) {
      const decl = checker.getSymbolAtLocation(node)?.declarations?.[0];
      const from =
        decl && ts.isImportSpecifier(decl) ? decl.parent.parent.parent.moduleSpecifier : undefined;
      if (from && ts.isStringLiteral(from) && from.text.startsWith(GIVENS)) found = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

for (const b of virtual.values()) {
  if (b.fixture) continue; // checked by tsc where it lives
  const sf = program.getSourceFile(b.file);
  const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  for (const d of diags) {
    const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    problems.push(
      `${b.source}:${b.line + line - 1}:${character + 1} (example at line ${b.line}): TS${d.code}: ${text}`,
    );
  }
  b.ok = diags.length === 0;
  if (!b.ok) failed++;
  b.usesGivens = usesGivens(sf);
}
for (const m of missingExamples(base)) problems.push(m);
const checkedMs = performance.now() - started;
if (!QUIET) {
  console.log(
    `check-examples: ${blocks.length} blocks type-checked in ${(checkedMs / 1000).toFixed(1)} s, ${failed} failed`,
  );
}

// ---------------------------------------------------------------------- run

/** The built file a public specifier resolves to (package.json's exports, `default`). */
function distOf(specifier) {
  const key = specifier === pkg.name ? '.' : `./${specifier.slice(pkg.name.length + 1)}`;
  const target = pkg.exports[key];
  return target && typeof target.default === 'string' ? join(ROOT, target.default) : undefined;
}

async function runAll() {
  const runnable = [...virtual.values()].filter(
    (b) =>
      b.ok &&
      !b.fixture &&
      !b.givens &&
      !b.usesGivens &&
      !b.internal &&
      !b.module &&
      !b.tags.has('no-run'),
  );
  if (runnable.length === 0) return;
  // The examples run as a user runs them: plain JavaScript against the built
  // package (no TypeScript loader in any thread or child process they start).
  const built = distOf(pkg.name);
  if (built === undefined || !existsSync(built)) {
    problems.push('dist/ is missing: run `npm run build` first (or pass --no-run)');
    return;
  }
  const newest = Math.max(...walk(join(ROOT, 'src')).map((f) => statSync(f).mtimeMs));
  if (newest > statSync(built).mtimeMs && !QUIET) {
    console.warn(
      'check-examples: warning: src/ changed since the last build; the examples run against dist/',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'weft-examples-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    for (const b of virtual.values()) {
      const js = ts.transpileModule(b.text, {
        fileName: b.file,
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          // Stacks point into the block (see runOne), through the helpers `using` adds.
          inlineSourceMap: true,
        },
      }).outputText;
      // Imports of weft/<module> point at dist/, as the package's exports do.
      const rewritten = js.replace(
        /(from\s+|import\s*\(\s*|import\s+)(['"])([^'"]+)\2/g,
        (all, head, q, spec) => {
          const target =
            spec === pkg.name || spec.startsWith(`${pkg.name}/`) ? distOf(spec) : undefined;
          return target === undefined ? all : `${head}${q}${pathToFileURL(target).href}${q}`;
        },
      );
      b.disk = join(dir, relative(VROOT, b.file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(b.disk), { recursive: true });
      writeFileSync(b.disk, rewritten);
    }
    let next = 0;
    const lane = async () => {
      while (next < runnable.length) {
        const b = runnable[next++];
        const t = performance.now();
        const error = await runOne(b);
        if (flags.has('--verbose'))
          console.log(`  ran ${b.source}:${b.line} in ${Math.round(performance.now() - t)} ms`);
        if (error !== undefined) {
          failed++;
          problems.push(`${b.source}:${b.line}: the example failed when run: ${error}`);
        }
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: Math.min(2, availableParallelism()) }, lane));
    if (!QUIET) {
      console.log(
        `check-examples: ${runnable.length} self-contained blocks run in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A stack with the block's own frames given as lines of the doc it comes from. */
function inDoc(b, stack) {
  const name = b.file.slice(b.file.lastIndexOf(sep) + 1);
  return stack.replace(
    new RegExp(`[^\\s(]*${name.replace(/\./g, '\\.')}:(\\d+):(\\d+)`, 'g'),
    (_, line, col) => `${b.source}:${b.line + Number(line) - 2}:${col}`,
  );
}

/** Runs one block in a worker thread; resolves to a description of what went wrong, if anything. */
function runOne(b) {
  return new Promise((resolveRun) => {
    const worker = new Worker(pathToFileURL(b.disk), {
      stdout: true,
      stderr: true,
      execArgv: [...process.execArgv, '--enable-source-maps'],
    });
    let output = '';
    worker.stdout.setEncoding('utf8').on('data', (s) => (output += s));
    worker.stderr.setEncoding('utf8').on('data', (s) => (output += s));
    let error;
    const own = [...b.tags].find((t) => t.startsWith('timeout='));
    const limit = own === undefined ? RUN_TIMEOUT_MS : Number(own.slice('timeout='.length));
    const timer = setTimeout(() => {
      error = `still running after ${limit / 1000} s (it must finish and leave nothing running)`;
      void worker.terminate();
    }, limit);
    worker.on('error', (e) => (error ??= inDoc(b, e?.stack ?? String(e))));
    worker.on('exit', (code) => {
      clearTimeout(timer);
      if (error === undefined && code !== 0) error = `exit code ${code}`;
      resolveRun(
        error === undefined ? undefined : `${error}${output ? `\n--- output\n${output}` : ''}`,
      );
    });
  });
}

if (RUN) await runAll();
for (const p of problems) console.error(p);
if (problems.length > 0) {
  console.error(`check-examples: ${problems.length} problem(s)`);
  process.exitCode = 1;
}
