// What a fanout reads before it starts: the task list (--tasks FILE or -, --task TEXT) and
// --input-file. Everything is read and checked up front, so a missing file or a bad line is a
// usage error before any output is opened or any worker started.
import { readFileSync } from 'node:fs';
import { text as readAll } from 'node:stream/consumers';
import { usageError } from '../errors.js';
import type { TaskInput } from '../fanout/options.js';

function readFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw usageError(`${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The task list, or undefined when neither --tasks nor --task was given. File lines come first. */
export async function loadTasks(file: string | undefined, flags: readonly string[] | undefined, stdin: NodeJS.ReadableStream): Promise<TaskInput[] | undefined> {
  if (file === undefined && (flags === undefined || flags.length === 0)) return undefined;
  // Loaded only for a task list: its JSON line schema (TypeBox) costs every start otherwise.
  const { buildTasks, taskFileSources, taskFlagSources } = await import('../tasks/parse.js');
  const fromFile = file === undefined ? [] : taskFileSources(file === '-' ? await readAll(stdin) : readFile('--tasks', file).toString('utf8'), file === '-' ? 'stdin' : file);
  const tasks = buildTasks([...fromFile, ...taskFlagSources(flags ?? [])]);
  return tasks.map((t) => ({ id: t.id, prompt: t.text ?? '', ...(t.cwd ? { cwd: t.cwd } : {}), ...(t.env ? { env: t.env } : {}) }));
}

/** --input TEXT is typed followed by Enter; --input-file FILE is typed exactly as it is. */
export function loadInput(text: string | undefined, file: string | undefined): string | Buffer | undefined {
  if (file !== undefined) return readFile('--input-file', file);
  return text === undefined ? undefined : `${text}\r`;
}
