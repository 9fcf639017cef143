// The CLI's stdout and stderr when the reader goes away: `loopkube status | head -1` closes the
// pipe after one line, and the next write fails with EPIPE. Node ignores SIGPIPE and reports the
// failure as an 'error' event, which would crash the process with a stack trace. Here such an
// error is swallowed: the command finishes its work (a `down` still stops the cluster) and
// writes nothing more; a command that only streams (logs -f, top) asks to be told, and stops.
const closedStreams = new Set<NodeJS.WriteStream>();
const onClose: Array<() => void> = [];

function isClosedPipe(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' || err.code === 'ECONNRESET';
}

/** Installs the guards on process.stdout and process.stderr (once, at start-up). */
export function guardOutputStreams(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (!isClosedPipe(err)) throw err;
      if (closedStreams.has(stream)) return;
      closedStreams.add(stream);
      if (stream === process.stdout) for (const cb of onClose.splice(0)) cb();
    });
  }
}

/** True once stdout's reader has gone. */
export function stdoutClosed(): boolean {
  return closedStreams.has(process.stdout);
}

/** Calls `cb` once when stdout's reader goes away (a streaming command stops then). */
export function whenStdoutCloses(cb: () => void): void {
  if (stdoutClosed()) cb();
  else onClose.push(cb);
}
