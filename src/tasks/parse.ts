// Task lists as people write them: one task per line, blank lines skipped; a line that starts
// with "{" is a JSON object {"id", "prompt", "cwd", "env"}. Errors name the source and line.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { usageError } from '../errors.js';
import type { Task } from './task.js';

const TaskLine = Type.Object(
  {
    id: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Integer()])),
    prompt: Type.String(),
    cwd: Type.Optional(Type.String({ minLength: 1 })),
    env: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);
type TaskLineValue = Static<typeof TaskLine>;

/** Where a task came from, for error messages: `tasks.txt line 3`, `--task 2`. */
export interface TaskSource {
  text: string;
  where: string;
  /** Never read as JSON (`--task` values). */
  plain?: boolean;
}

function fromJson(line: string, where: string): TaskLineValue {
  let value: unknown;
  try {
    // "\ud800" (half a UTF-16 pair) is valid JSON but no text: make it U+FFFD, as UTF-8 would.
    value = JSON.parse(line, (_key, v: unknown) => (typeof v === 'string' ? (v as string & { toWellFormed(): string }).toWellFormed() : v));
  } catch (err) {
    throw usageError(`${where}: not a JSON object (${(err as Error).message}); a plain task may not start with "{"`);
  }
  const error = Value.Errors(TaskLine, value).First();
  if (error) throw usageError(`${where}: bad task ${error.path ? `field ${error.path.slice(1)}` : 'line'}: ${error.message} (fields: id, prompt, cwd, env)`);
  return value as TaskLineValue;
}

/** Lines of a task file as sources; blank lines are skipped but keep their line numbers. */
export function taskFileSources(content: string, name: string): TaskSource[] {
  const out: TaskSource[] = [];
  content.split(/\r?\n/).forEach((text, i) => {
    if (text.trim() !== '') out.push({ text, where: `${name} line ${i + 1}` });
  });
  return out;
}

/** `--task` values are always plain text. */
export function taskFlagSources(values: readonly string[]): TaskSource[] {
  return values.map((text, i) => ({ text, where: `--task #${i + 1}`, plain: true }));
}

/** Builds the numbered task list; duplicate ids are a usage error naming both places. */
export function buildTasks(sources: readonly TaskSource[]): Task[] {
  const seen = new Map<string, string>();
  return sources.map((source, i) => {
    const number = i + 1;
    const task = toTask(source, number);
    const first = seen.get(task.id);
    if (first) throw usageError(`${source.where}: duplicate task id "${task.id}" (first at ${first})`);
    seen.set(task.id, source.where);
    return task;
  });
}

function toTask(source: TaskSource, number: number): Task {
  const line = source.text.trim();
  if (source.plain || !line.startsWith('{')) return { number, id: String(number), text: source.text };
  const value = fromJson(line, source.where);
  return {
    number,
    id: value.id === undefined ? String(number) : String(value.id),
    text: value.prompt,
    ...(value.cwd !== undefined ? { cwd: value.cwd } : {}),
    ...(value.env !== undefined ? { env: value.env } : {}),
  };
}
