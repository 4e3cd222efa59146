import { Command } from '@oclif/core';
import { reportError } from '../cli/errors.js';

export default class Schema extends Command {
  static override summary = 'Print the JSON Schema of the frame stream (every frame type).';

  static override description = `Prints one JSON Schema (draft 2020-12) that a single line of the frame stream matches: "oneOf" the
frame types, each under "$defs" by its type name. It is generated from the same definitions the
code uses, so it cannot drift from what relay writes. Frames may carry fields the schema does not
list (new optional fields may appear within protocol v1); a reader should skip frame types it does
not know. See docs/frames.md, "Versioning".`;

  static override examples = [
    { description: 'Save the schema:', command: '<%= config.bin %> <%= command.id %> > relay-frames.schema.json' },
    { description: 'The frame types it defines:', command: `<%= config.bin %> <%= command.id %> | jq -r '.["$defs"] | keys[]'` },
    { description: 'The fields of worker_exited:', command: `<%= config.bin %> <%= command.id %> | jq '.["$defs"].worker_exited.properties | keys'` },
  ];

  async run(): Promise<void> {
    await this.parse(Schema);
    const { frameJsonSchema } = await import('../frames/schema.js');
    process.stdout.write(JSON.stringify(frameJsonSchema(), null, 2) + '\n');
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    this.parsed = true;
    reportError(err);
  }
}
