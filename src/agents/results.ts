// --results DIR: per task, the raw transcript, the transcript as text, the final screen, the
// agent's result text, its diff (with --worktree) and its agent events; and manifest.json
// indexing them, so that CI can upload one folder. Everything is written as the output arrives
// (no transcript is held in memory, whatever its size). The manifest is rewritten (atomically)
// after every task, so a run stopped half-way still leaves a valid one, marked complete: false;
// it lists every task, with an `error` naming what could not be written, and close() fails
// (OUTPUT_FAILED: exit 74) when anything could not be.
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { LineAssembler, toLines } from '../lines/assembler.js';
import { RelayError, usageError } from '../errors.js';
import type { AgentTotals, WorktreeInfo } from '../frames/agent.js';
import type { FrameBody, AgentEvent } from '../frames/types.js';
import { safeRefPart } from './worktree.js';

export const MANIFEST = 'manifest.json';
export const MANIFEST_VERSION = 1;

/** A terminal fed a task's output as it arrives, for screen.txt (the CLI's: a headless xterm). */
export interface ScreenSink {
  /** Feeds output; `parsed` runs once it has been processed (a terminal emulator may lag behind). */
  write(data: string, parsed?: () => void): void;
  /** The visible rows once everything written is processed. */
  text(): Promise<string[]>;
  dispose(): void;
}

/** Makes the screen of one task, at the run's size. */
export type ScreenFactory = (size: { cols: number; rows: number }) => ScreenSink;

export interface ResultsOptions {
  dir: string;
  runId: string;
  cols?: number;
  rows?: number;
  /** Final-screen terminal; default: plainScreenSink (an approximation without a terminal emulator). */
  screen?: ScreenFactory;
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
  /** Set when a file could not be written in full (or at all): which, and why (ENOSPC…). */
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
  /** What could not be written ("001-x/transcript.ansi: ENOSPC…", "manifest.json: …"), in order. */
  private readonly failures: string[] = [];
  /** The manifest on disk is older than the one in memory (its last save failed). */
  private stale = false;

  private constructor(private readonly o: ResultsOptions) {
    this.now = o.now ?? Date.now;
    this.manifest = { version: MANIFEST_VERSION, run_id: o.runId, started_at: iso(this.now()), finished_at: null, complete: false, run: null, tasks: [] };
  }

  /** Makes DIR (one-line usage error when it cannot be a directory) and writes an empty manifest (OUTPUT_FAILED when it cannot). */
  static open(options: ResultsOptions): ResultsWriter {
    try {
      mkdirSync(options.dir, { recursive: true });
      if (!statSync(options.dir).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'EEXIST' || (err as Error).message === 'not a directory' ? 'not a directory' : (err as Error).message;
      throw usageError(`${options.dir}: ${why}`, { option: 'resultsDir', value: options.dir, cause: err });
    }
    const writer = new ResultsWriter(options);
    if (!writer.save()) throw new RelayError('OUTPUT_FAILED', `--results: ${options.dir}: ${writer.failures[0]}`);
    return writer;
  }

  /** Starts recording a task's attempt: feed it the worker's output as it comes. */
  task(key: TaskKey): TaskRecorder {
    const folder = this.folderFor(key);
    const path = join(this.o.dir, folder);
    let made: Error | undefined;
    try {
      mkdirSync(path, { recursive: true });
    } catch (err) {
      made = err as Error;
    }
    return new TaskRecorder(path, folder, key, this.o, (entry) => this.add(entry), made);
  }

  /**
   * Records the run's end. Throws OUTPUT_FAILED (exit 74) when anything of the folder could not
   * be written, after saving what it could: the manifest names each failure.
   */
  close(run: { ok: boolean; exitCode: number; reason: string }): Manifest {
    this.manifest.run = { ok: run.ok, exit_code: run.exitCode, reason: run.reason };
    this.manifest.finished_at = iso(this.now());
    this.manifest.complete = true;
    this.save();
    if (this.failures.length > 0) {
      const more = this.failures.length > 1 ? ` (and ${this.failures.length - 1} more${this.stale ? '' : ', listed in manifest.json'})` : '';
      throw new RelayError('OUTPUT_FAILED', `--results: ${this.o.dir}: could not write ${this.failures[0]}${more}`);
    }
    return this.manifest;
  }

  get current(): Manifest {
    return this.manifest;
  }

  private add(entry: ManifestTask): void {
    if (entry.error) this.failures.push(...entry.error.split('; ').map((e) => `${entry.folder}/${e}`));
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

  /**
   * Written to a temporary file and renamed: a reader never sees half a manifest. A failed save
   * (disk full) leaves the previous manifest, removes the temporary file, and is remembered.
   */
  private save(): boolean {
    const path = join(this.o.dir, MANIFEST);
    try {
      writeFileSync(`${path}.tmp`, JSON.stringify(this.manifest, null, 2) + '\n');
      renameSync(`${path}.tmp`, path);
      this.stale = false;
      return true;
    } catch (err) {
      rmSync(`${path}.tmp`, { force: true });
      this.stale = true;
      const why = `${MANIFEST}: ${(err as Error).message}`;
      if (!this.failures.includes(why)) this.failures.push(why);
      return false;
    }
  }
}

const FILES = { transcript: 'transcript.ansi', transcript_text: 'transcript.txt', screen: 'screen.txt', result: 'result.txt', diff: 'diff.patch', events: 'events.ndjson' } as const;

/** A file written as data arrives; its first error is kept (a full disk is recorded, never a crash). */
class Output {
  private readonly stream: WriteStream;
  error: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (err) => (this.error ??= err));
  }

  write(text: string): void {
    if (!this.error && !this.stream.destroyed) this.stream.write(text);
  }

  async end(): Promise<void> {
    if (!this.stream.destroyed) this.stream.end();
    if (!this.stream.closed) await once(this.stream, 'close').catch(() => {});
  }
}

/**
 * How far behind a terminal emulator may fall (characters handed to it, not yet parsed) before
 * the screen stops being fed as output arrives; it then catches up from transcript.ansi at the
 * end, so its memory stays bounded however fast the worker prints.
 */
const SCREEN_MAX_PENDING = 4 * 1024 * 1024;

/** Feeds a task's screen as output arrives while it keeps up, then from the transcript file. */
class ScreenFeed {
  private pending = 0;
  /** Byte offset in transcript.ansi of the first chunk the screen was not fed. */
  private behindAt: number | null = null;
  private offset = 0;

  constructor(readonly screen: ScreenSink) {}

  push(text: string): void {
    if (this.behindAt === null && this.pending < SCREEN_MAX_PENDING) {
      this.pending += text.length;
      this.screen.write(text, () => (this.pending -= text.length));
    } else {
      this.behindAt ??= this.offset;
    }
    this.offset += Buffer.byteLength(text);
  }

  /** The final screen; reads the rest of `transcript` first if it fell behind. */
  async finish(transcript: Output): Promise<string> {
    if (this.behindAt !== null) {
      if (transcript.error) throw new Error(`incomplete: ${FILES.transcript} could not be written to catch up from`);
      const decoder = new StringDecoder('utf8');
      for await (const chunk of createReadStream(transcript.path, { start: this.behindAt, highWaterMark: 256 * 1024 })) {
        await new Promise<void>((resolve) => this.screen.write(decoder.write(chunk as Buffer), resolve));
      }
    }
    return (await this.screen.text()).join('\n') + '\n';
  }
}

export class TaskRecorder {
  private readonly raw: Output;
  private readonly text: Output;
  private readonly lines = new LineAssembler();
  private readonly screen: ScreenFeed | undefined;
  private events: Output | undefined;
  private finished = false;
  /** Failures outside the streams ("screen.txt: …"), for the manifest's `error`. */
  private readonly errors: string[] = [];

  constructor(
    private readonly path: string,
    private readonly folder: string,
    private readonly key: TaskKey,
    o: ResultsOptions,
    private readonly done: (entry: ManifestTask) => void,
    folderError?: Error,
  ) {
    if (folderError) this.errors.push(`${folder}: ${folderError.message}`);
    this.raw = new Output(join(path, FILES.transcript));
    this.text = new Output(join(path, FILES.transcript_text));
    try {
      this.screen = new ScreenFeed((o.screen ?? plainScreenSink)({ cols: o.cols ?? 120, rows: o.rows ?? 40 }));
    } catch (err) {
      this.errors.push(`${FILES.screen}: ${(err as Error).message}`);
    }
  }

  /** A chunk of the worker's terminal output, as sent (ANSI included). */
  write(text: string): void {
    if (this.finished) return;
    this.raw.write(text);
    const lines = this.lines.push(text);
    if (lines.length > 0) this.text.write(lines.join('\n') + '\n');
    this.screen?.push(text);
  }

  /** An agent_event frame body for this task. */
  event(body: FrameBody<AgentEvent>): void {
    if (this.finished) return;
    this.events ??= new Output(join(this.path, FILES.events));
    this.events.write(JSON.stringify(body) + '\n');
  }

  /** The worker ended: writes the derived files and adds the task to the manifest, whatever failed. */
  async finish(outcome: TaskOutcome): Promise<ManifestTask> {
    this.finished = true;
    const rest = this.lines.flush();
    if (rest !== undefined) this.text.write(rest + '\n');
    await Promise.all([this.raw.end(), this.text.end(), this.events?.end()]);
    const files: ManifestFiles = { transcript: this.rel(FILES.transcript), transcript_text: this.rel(FILES.transcript_text), screen: this.rel(FILES.screen) };
    const errors = [...this.errors];
    for (const [name, out] of [[FILES.transcript, this.raw], [FILES.transcript_text, this.text], [FILES.events, this.events]] as const) {
      if (out?.error) errors.push(`${name}: ${out.error.message}`);
    }
    if (this.screen) await this.put(FILES.screen, () => this.screen!.finish(this.raw), errors);
    this.screen?.screen.dispose();
    if (outcome.resultText !== undefined) files.result = await this.put(FILES.result, () => outcome.resultText!, errors);
    if (outcome.diff !== undefined) files.diff = await this.put(FILES.diff, () => outcome.diff!, errors);
    if (this.events) files.events = this.rel(FILES.events);
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
      ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
      ...(outcome.agent ? { agent: outcome.agent } : {}),
      ...(outcome.worktree ? { worktree: outcome.worktree } : {}),
    };
    this.done(entry);
    return entry;
  }

  /** Writes one derived file; a failure is added to `errors`, never thrown. */
  private async put(name: string, content: () => string | Promise<string>, errors: string[]): Promise<string> {
    try {
      await writeFile(join(this.path, name), await content());
    } catch (err) {
      errors.push(`${name}: ${(err as Error).message}`);
    }
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
 * The engine's default screen without a terminal emulator: the last `rows` non-trailing-blank
 * lines of the plain text, each cut to `cols` (cursor movement is not replayed). Holds only
 * those rows, however long the output.
 */
export const plainScreenSink: ScreenFactory = ({ cols, rows }) => {
  const assembler = new LineAssembler();
  /** At most `rows` lines, the last of them not blank. */
  let shown: string[] = [];
  /** Blank lines since (at most `rows` of them: more would push everything before off). */
  let blanks: string[] = [];
  const keep = (lines: string[]): void => {
    for (const line of lines) {
      const cut = [...line].slice(0, cols).join('');
      if (cut.trim() === '') {
        blanks.push(cut);
        if (blanks.length > rows) blanks.shift();
        continue;
      }
      shown = [...shown, ...blanks, cut].slice(-rows);
      blanks = [];
    }
  };
  return {
    write: (data, parsed) => {
      keep(assembler.push(data));
      parsed?.();
    },
    text: async () => {
      const rest = assembler.flush();
      if (rest !== undefined) keep([rest]);
      return shown;
    },
    dispose: () => {},
  };
};

/** plainScreenSink on a whole transcript. */
export async function plainScreen(transcript: string, size: { cols: number; rows: number }): Promise<string> {
  const sink = plainScreenSink(size);
  sink.write(transcript);
  return (await sink.text()).join('\n') + '\n';
}
