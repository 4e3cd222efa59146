import { RelayCommand } from '../cli/command.js';

export default class Schema extends RelayCommand {
  static override summary = 'Print the JSON Schema of the frame stream (every frame type).';

  static override description = `Prints one JSON Schema (draft 2020-12) that every line of the frame
stream matches: "oneOf" the frame types, each under "$defs" by its type
name. It is generated from the definitions the code itself uses, so it
cannot drift from what relay writes.

Within protocol v1 frames may gain new optional fields and new frame types
may appear, so the schema allows fields it does not list, and readers should
skip frame types they do not know. See docs/frames.md, "Versioning".`;

  static override examples = [
    { description: 'Save the schema:', command: '<%= config.bin %> <%= command.id %> > relay-frames.schema.json' },
    { description: 'The frame types it defines:', command: `<%= config.bin %> <%= command.id %> | jq -r '.["$defs"] | keys[]'` },
    { description: 'The fields of worker_exited:', command: `<%= config.bin %> <%= command.id %> | jq '.["$defs"].worker_exited.properties | keys'` },
  ];

  async run(): Promise<void> {
    await this.parse(Schema);
    const { frameJsonSchema } = await import('../frames/schema.js');
    const { writeOut } = await import('../writer/write-out.js');
    await writeOut(process.stdout, JSON.stringify(frameJsonSchema(), null, 2) + '\n');
  }
}
