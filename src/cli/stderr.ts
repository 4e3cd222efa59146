// stderr is for people. When it fails — EPIPE (its reader left: `2>&1 | head -c1`), EIO (the
// terminal hung up), ENOSPC (a full log disk) — relay goes on without it: progress and notices
// are dropped, frames and the exit status are not. Unguarded, Node crashes on the stream's
// 'error' event, or on the throw of a synchronous stream (stderr redirected to a file). The guard
// sits on process.stderr.write itself because third-party renderers (listr2, log-update) write to
// it directly; it is installed once, before any command writes.
let failed = false;
let guarded = false;

type WriteCallback = (err?: Error | null) => void;

export function guardStderr(stderr: NodeJS.WriteStream = process.stderr): void {
  if (guarded) return;
  guarded = true;
  stderr.on('error', () => {
    failed = true;
  });
  const write = stderr.write.bind(stderr) as (...args: unknown[]) => boolean;
  stderr.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const done = (typeof encoding === 'function' ? encoding : callback) as WriteCallback | undefined;
    if (!failed) {
      try {
        return write(chunk, encoding, callback);
      } catch {
        failed = true;
      }
    }
    // Dropped: tell a waiting caller it is done, as a stream would, but never with an error.
    if (done) process.nextTick(done);
    return true;
  }) as typeof stderr.write;
}

/**
 * oclif adds a listener to process.stdout that rethrows every error but EPIPE: a full disk
 * (ENOSPC on `>/dev/full`) became an uncaught exception and a stack trace. Every relay command
 * that writes stdout hears of its failures through its own write callbacks (FrameWriter,
 * writeOut) and reports them as one line, so that listener is replaced by one that only keeps
 * the 'error' event from being unhandled.
 */
export function guardStdout(stdout: NodeJS.WriteStream = process.stdout): void {
  for (const listener of stdout.listeners('error')) stdout.off('error', listener as (err: Error) => void);
  stdout.on('error', () => {});
}

/** True once stderr has failed: everything written to it since was dropped. */
export function stderrFailed(): boolean {
  return failed;
}
