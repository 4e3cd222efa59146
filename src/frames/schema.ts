// The JSON Schema of the frame protocol, built from the typebox schemas in types.ts (which are
// JSON Schema already), so what `relay schema` prints cannot drift from what the code emits.
import { FrameSchemas, PROTOCOL_VERSION } from './types.js';

export const FRAME_SCHEMA_ID = `urn:relay:frames:v${PROTOCOL_VERSION}`;

/** A JSON-Schema-compatible value: typebox's symbol keys are dropped by the round trip. */
type Json = Record<string, unknown>;

/**
 * One self-contained JSON Schema (draft 2020-12) for a single frame: `oneOf` the frame types,
 * each defined under `$defs` by its `type` name. Unknown fields are allowed (within v1 new
 * optional fields may appear); a reader that meets an unknown `type` should skip the frame.
 */
export function frameJsonSchema(): Json {
  const defs: Record<string, Json> = {};
  for (const schema of FrameSchemas) {
    const { $id, ...rest } = JSON.parse(JSON.stringify(schema)) as Json;
    defs[String($id)] = rest;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: FRAME_SCHEMA_ID,
    title: `relay frame (protocol v${PROTOCOL_VERSION})`,
    description: 'One line of the NDJSON stream that `relay fanout` writes. See docs/frames.md, "Versioning".',
    oneOf: Object.keys(defs).map((type) => ({ $ref: `#/$defs/${type}` })),
    $defs: defs,
  };
}
