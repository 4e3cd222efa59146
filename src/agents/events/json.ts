// Small readers for untyped JSON: agents add and drop fields between versions, so every field
// is optional and checked, never assumed.
import type { JsonObject } from './types.js';

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function obj(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  return isObject(v) ? v : undefined;
}

export function arr(o: JsonObject, key: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

/** A non-negative whole count, or undefined. */
export function count(o: JsonObject | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

export function num(o: JsonObject, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Drops undefined fields so events compare (and serialise) exactly. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** A non-empty string, or undefined. */
export function text(o: JsonObject | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

