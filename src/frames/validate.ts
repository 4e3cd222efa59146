import { TypeCompiler } from '@sinclair/typebox/compiler';
import { FrameSchemas, type Frame } from './types.js';

// One compiled checker per frame type, built on first use from the same schemas as the types.
let checkers: Map<string, ReturnType<typeof TypeCompiler.Compile>> | undefined;

function checkerFor(type: string): ReturnType<typeof TypeCompiler.Compile> | undefined {
  checkers ??= new Map(FrameSchemas.map((s) => [s.$id!, TypeCompiler.Compile(s)]));
  return checkers.get(type);
}

/** Why `value` is not a valid v1 frame (one short phrase), or undefined when it is one. */
export function frameError(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const type = (value as { type?: unknown }).type;
  const checker = typeof type === 'string' ? checkerFor(type) : undefined;
  if (!checker) return `unknown frame type ${JSON.stringify(type)}`;
  const first = checker.Errors(value).First();
  return first ? `${type}: ${first.path || '/'} ${first.message}` : undefined;
}

export function isFrame(value: unknown): value is Frame {
  return frameError(value) === undefined;
}
