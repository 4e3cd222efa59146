// The protocol version alone, without the schemas (and TypeBox) that src/frames/types.ts builds
// at load: the engine stamps it on every frame, and loading those would slow every start.
export const PROTOCOL_VERSION = 1 as const;
