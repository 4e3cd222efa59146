// --results DIR: per task, the raw transcript, the transcript as text, the final screen, the
// agent's result text, its diff (with --worktree) and its agent events; and manifest.json
// indexing them, so that CI can upload one folder. The manifest is rewritten (atomically) after
// every task, so a run stopped half-way still leaves a valid one, marked complete: false.
import { createWriteStream, mkdirSync, renameSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { toLines } from '../lines/assembler.js';
import { usageError } from '../errors.js';
import type { AgentTotals, WorktreeInfo } from '../frames/agent.js';
import type { FrameBody, AgentEvent } from '../frames/types.js';
import { safeRefPart } from './worktree.js';

export const MANIFEST = 'manifest.json';
export const MANIFEST_VERSION = 1;

/** Renders what a terminal of this size shows at the end of `transcript`. */
export type ScreenRenderer = (transcript: string, size: { cols: number; rows: number }) => string | Promise<string>;

export interface ResultsOptions {
  dir: string;
  runId: string;
  cols?: number;
  rows?: number;
  /** Final-screen renderer; default: plainScreen (an approximation without a terminal emulator). */
  renderScreen?: ScreenRenderer;
  now?: () => number;
}

export interface TaskKey {
  /** Task id (or number as text); names its folder. */
  id: string;
  number: number;
  worker: string;
  /** 1 for the first run of a task; retries get their own folder. */
  attempt?: number;
  prompt?: string;
}

export interface TaskOutcome {
  exitCode: number | null;
  signal: string | null;
  reason: string;
  durationMs: number;
  /** The agent's final answer (the last result event's text). */
  resultText?: string;
  /** Patch of its changes (--worktree). */
  diff?: string;
  agent?: AgentTotals;
  worktree?: WorktreeInfo;
}

export interface ManifestFiles {
  transcript: string;
  transcript_text: string;
  screen: string;
  result?: string;
  diff?: string;
  events?: string;
}

export interface ManifestTask {
  id: string;
  number: number;
  attempt: number;
  worker: string;
  prompt?: string;
  folder: string;
  exit_code: number | null;
  signal: string | null;
  reason: string;
  duration_ms: number;
  files: ManifestFiles;
  /** Set when the transcript could not be written in full. */
  error?: string;
  agent?: AgentTotals;
  worktree?: WorktreeInfo;
}

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  run_id: string;
  started_at: string;
  finished_at: string | null;
  /** False until the run's end was recorded: a stopped run's manifest lists what finished. */
  complete: boolean;
  run: { ok: boolean; exit_code: number; reason: string } | null;
  tasks: ManifestTask[];
}

export class ResultsWriter {
  private readonly manifest: Manifest;
  private readonly folders = new Set<string>();
  private readonly now: () => number;

  private constructor(private readonly o: ResultsOptions) {
    this.now = o.now ?? Date.now;
    this.manifest = { version: MANIFEST_VERSION, run_id: o.runId, started_at: iso(this.now()), finished_at: null, complete: false, run: null, tasks: [] };
  }

  /** Makes DIR (one-line usage error when it cannot be a directory) and writes an empty manifest. */
  static open(options: ResultsOptions): ResultsWriter {
    try {
      mkdirSync(options.dir, { recursive: true });
      if (!statSync(options.dir).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'EEXIST' || (err as Error).message === 'not a directory' ? 'not a directory' : (err as Error).message;
      throw usageError(`${options.dir}: ${why}`, { option: 'resultsDir', value: options.dir, cause: err });
    }
    const writer = new ResultsWriter(options);
    writer.save();
    return writer;
  }

  /** Starts recording a task's attempt: feed it the worker's output as it comes. */
  task(key: TaskKey): TaskRecorder {
    const folder = this.folderFor(key);
    mkdirSync(join(this.o.dir, folder), { recursive: true });
    return new TaskRecorder(join(this.o.dir, folder), folder, key, this.o, (entry) => this.add(entry));
  }

  /** Records the run's end. */
  close(run: { ok: boolean; exitCode: number; reason: string }): Manifest {
    this.manifest.run = { ok: run.ok, exit_code: run.exitCode, reason: run.reason };
    this.manifest.finished_at = iso(this.now());
    this.manifest.complete = true;
    this.save();
    return this.manifest;
  }

  get current(): Manifest {
    return this.manifest;
  }

  private add(entry: ManifestTask): void {
    this.manifest.tasks.push(entry);
    this.manifest.tasks.sort((a, b) => a.number - b.number || a.attempt - b.attempt);
    this.save();
  }

  private folderFor(key: TaskKey): string {
    const base = `${String(key.number).padStart(3, '0')}-${safeRefPart(key.id)}`;
    let folder = (key.attempt ?? 1) > 1 ? `${base}.attempt-${key.attempt}` : base;
    for (let i = 2; this.folders.has(folder); i++) folder = `${base}-${i}`;
    this.folders.add(folder);
    return folder;
  }

  /** Written to a temporary file and renamed: a reader never sees half a manifest. */
  private save(): void {
    const path = join(this.o.dir, MANIFEST);
    writeFileSync(`${path}.tmp`, JSON.stringify(this.manifest, null, 2) + '\n');
    renameSync(`${path}.tmp`, path);
  }
}

const FILES = { transcript: 'transcript.ansi', transcript_text: 'transcript.txt', screen: 'screen.txt', result: 'result.txt', diff: 'diff.patch', events: 'events.ndjson' } as const;

export class TaskRecorder {
  private readonly raw: WriteStream;
  private readonly events: string[] = [];
  private finished = false;
  /** A failed transcript write (disk full…): recorded in the manifest, never a crash. */
  private writeError: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly folder: string,
    private readonly key: TaskKey,
    private readonly o: ResultsOptions,
    private readonly done: (entry: ManifestTask) => void,
  ) {
    this.raw = createWriteStream(join(path, FILES.transcript));
    this.raw.on('error', (err) => (this.writeError ??= err));
  }

  /** A chunk of the worker's terminal output, as sent (ANSI included). */
  write(text: string): void {
    if (!this.finished && !this.writeError) this.raw.write(text);
  }

  /** An agent_event frame body for this task. */
  event(body: FrameBody<AgentEvent>): void {
    if (!this.finished) this.events.push(JSON.stringify(body));
  }

  /** The worker ended: writes the derived files and adds the task to the manifest. */
  async finish(outcome: TaskOutcome): Promise<ManifestTask> {
    this.finished = true;
    this.raw.end();
    if (!this.raw.closed) await once(this.raw, 'close');
    const transcript = await readFile(join(this.path, FILES.transcript), 'utf8');
    const files: ManifestFiles = { transcript: this.rel(FILES.transcript), transcript_text: this.rel(FILES.transcript_text), screen: this.rel(FILES.screen) };
    this.put(FILES.transcript_text, plainText(transcript));
    const render = this.o.renderScreen ?? plainScreen;
    this.put(FILES.screen, await render(transcript, { cols: this.o.cols ?? 120, rows: this.o.rows ?? 40 }));
    if (outcome.resultText !== undefined) files.result = this.put(FILES.result, outcome.resultText);
    if (outcome.diff !== undefined) files.diff = this.put(FILES.diff, outcome.diff);
    if (this.events.length > 0) files.events = this.put(FILES.events, this.events.join('\n') + '\n');
    const entry: ManifestTask = {
      id: this.key.id,
      number: this.key.number,
      attempt: this.key.attempt ?? 1,
      worker: this.key.worker,
      ...(this.key.prompt !== undefined ? { prompt: this.key.prompt } : {}),
      folder: this.folder,
      exit_code: outcome.exitCode,
      signal: outcome.signal,
      reason: outcome.reason,
      duration_ms: outcome.durationMs,
      files,
      ...(this.writeError ? { error: `transcript: ${this.writeError.message}` } : {}),
      ...(outcome.agent ? { agent: outcome.agent } : {}),
      ...(outcome.worktree ? { worktree: outcome.worktree } : {}),
    };
    this.done(entry);
    return entry;
  }

  private put(name: string, text: string): string {
    writeFileSync(join(this.path, name), text);
    return this.rel(name);
  }

  private rel(name: string): string {
    return `${this.folder}/${name}`;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The transcript as plain text, by line mode's rules (the same as `relay replay --transcript`):
 * no ANSI, each line as its terminal line finally showed it.
 */
export function plainText(transcript: string): string {
  const lines = toLines(transcript);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/**
 * The last `rows` non-trailing-blank lines of the plain text, each cut to `cols`. An
 * approximation of the final screen (cursor movement is not replayed); a terminal emulator
 * renderer can be passed as ResultsOptions.renderScreen instead.
 */
export const plainScreen: ScreenRenderer = (transcript, { cols, rows }) => {
  const lines = plainText(transcript).split('\n');
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  return lines.slice(-rows).map((l) => [...l].slice(0, cols).join('')).join('\n') + '\n';
};
