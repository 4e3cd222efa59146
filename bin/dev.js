#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (npm i -D tsx); the published entry point is bin/run.js.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
