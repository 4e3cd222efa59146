// Frame validation: one compiled checker per frame type, built on first use from the same
// schemas the types come from. readFrames, relay merge and the tests all check through here.
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { FrameSchemas, PROTOCOL_VERSION, type Frame, type TSchema } from './types.js';

let checkers: Map<string, TypeCheck<TSchema>> | undefined;

function checkerFor(type: string): TypeCheck<TSchema> | undefined {
  checkers ??= new Map(FrameSchemas.map((s) => [s.$id!, TypeCompiler.Compile(s as TSchema)]));
  return checkers.get(type);
}

/** A frame type this version of relay defines. */
export function isKnownFrameType(type: unknown): boolean {
  return typeof type === 'string' && checkerFor(type) !== undefined;
}

/** Why `value` is not a valid v1 frame (one short phrase), or undefined when it is one. */
export function frameError(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const { v, type } = value as { v?: unknown; type?: unknown };
  if (v !== PROTOCOL_VERSION) return `protocol version ${JSON.stringify(v)} is not supported (expected ${PROTOCOL_VERSION})`;
  if (typeof type !== 'string') return 'no "type" field';
  const check = checkerFor(type);
  if (!check) return `unknown frame type "${type}"`;
  if (check.Check(value)) return undefined;
  const first = check.Errors(value).First();
  return `invalid ${type} frame: ${first ? `${first.path || '/'} ${first.message}` : 'does not match its schema'}`;
}

export function isFrame(value: unknown): value is Frame {
  return frameError(value) === undefined;
}
