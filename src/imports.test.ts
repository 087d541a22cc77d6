import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import ts from 'typescript';

/*
 * No runtime import cycle among the plugin's modules: a cycle makes the order in which modules initialise depend
 * on which one is imported first (a constant read before its module has run is undefined). Imports of types only
 * (`import type`, `import { type X }`) vanish from the build and do not count. Tests are not part of the build.
 */

const SRC = join(__dirname);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return sourceFiles(path);
    }
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The relative module specifiers a file imports at run time. */
export function runtimeImports(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const st of sf.statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        clause?.phaseModifier === ts.SyntaxKind.TypeKeyword ||
        (clause &&
          !clause.name &&
          named &&
          ts.isNamedImports(named) &&
          named.elements.length > 0 &&
          named.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) {
        spec = st.moduleSpecifier;
      }
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      const named = st.exportClause;
      const typeOnly =
        st.isTypeOnly ||
        (named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) {
        spec = st.moduleSpecifier;
      }
    }
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) {
      out.push(spec.text);
    }
  }
  return out;
}

function resolveModule(from: string, spec: string, files: Set<string>): string | undefined {
  const base = resolve(dirname(from), spec);
  return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')].find((p) => files.has(p));
}

/** One cycle of the graph (as a path that starts and ends at the same node), or undefined. */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        return [...stack.slice(stack.indexOf(next)), next];
      }
      if (!state.has(next)) {
        const found = visit(next);
        if (found) {
          return found;
        }
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}

describe('module imports', () => {
  it('finds a cycle and ignores imports of types', () => {
    const files: Record<string, string> = {
      'a.ts': "import { b } from './b';\nimport type { T } from './c';",
      'b.ts': "import { type X, type Y } from './c';\nexport { a } from './a';",
      'c.ts': "import type { A } from './a';\nexport type { B } from './b';",
    };
    const graph = new Map(
      Object.entries(files).map(([f, text]) => [f, runtimeImports(f, text).map((s) => `${s.slice(2)}.ts`)])
    );
    expect(graph.get('c.ts')).toEqual([]);
    expect(findCycle(graph)).toEqual(['a.ts', 'b.ts', 'a.ts']);
    graph.set('b.ts', []);
    expect(findCycle(graph)).toBeUndefined();
  });

  it('has no runtime import cycle under src/', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(40);
    const known = new Set(files);
    const graph = new Map<string, string[]>();
    for (const f of files) {
      const deps = runtimeImports(f, readFileSync(f, 'utf8'))
        .map((s) => resolveModule(f, s, known))
        .filter((p): p is string => p !== undefined);
      graph.set(f, deps);
    }
    expect(graph.get(join(SRC, 'datasource.ts'))).toContain(join(SRC, 'queries', 'index.ts'));
    expect(findCycle(graph)?.map((p) => relative(SRC, p))).toBeUndefined();
  });
});
