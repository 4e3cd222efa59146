// The shape the code promises a new reader: top-level folders of src/ never import each other
// both ways (not even types), so each concern can be read and changed from its folder alone.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Top-level folder of a file under src/, or null for src/'s own files (errors.ts, units.ts…). */
function folderOf(file: string): string | null {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? parts[0]! : null;
}

/** Folder → the folders it imports from (static, type-only and dynamic imports alike). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    if (!from) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      const to = folderOf(resolve(dirname(file), m[1]!));
      if (to && to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const walk = (node: string, path: string[]): string[] | null => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'done') return null;
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) {
      const cycle = walk(next, [...path, node]);
      if (cycle) return cycle;
    }
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = walk(node, []);
    if (cycle) return cycle;
  }
  return null;
}

describe('source layout', () => {
  it('no top-level folder of src/ imports from one that imports it back', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(5);
    expect(findCycle(graph)).toBeNull();
  });

  it('the engine knows nothing of the CLI, oclif, listr2 or the agents', () => {
    const engine = ['fanout', 'pty', 'frames', 'writer', 'tasks', 'lines'];
    const graph = folderGraph();
    for (const folder of engine) {
      expect([...(graph.get(folder) ?? [])].filter((f) => !engine.includes(f)), folder).toEqual([]);
      for (const file of sourceFiles(join(SRC, folder))) expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '(@oclif|listr2|chalk)/);
    }
  });
});
