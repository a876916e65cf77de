import type { Readable } from 'node:stream';

/** A `ready.logLine`: '/regex/flags' is a regular expression, anything else a substring. */
export function lineMatcher(pattern: string): (line: string) => boolean {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) {
    const re = new RegExp(regex[1], regex[2]);
    return (line) => re.test(line);
  }
  return (line) => line.includes(pattern);
}

/**
 * Looks at a service's output, whole line by whole line as it is written (beside the log
 * writer, without re-reading the log), until a line matches; then stops looking and calls
 * `onMatch` once. Returns a function that stops looking early (the process ended).
 */
export function watchForLine(streams: Array<Readable | null>, matches: (line: string) => boolean, onMatch: () => void): () => void {
  const detach: Array<() => void> = [];
  let done = false;
  const stop = () => {
    done = true;
    for (const d of detach.splice(0)) d();
  };
  for (const stream of streams) {
    if (!stream) continue;
    let partial = '';
    const onData = (chunk: Buffer) => {
      if (done) return;
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = (lines.pop() ?? '').slice(-64 * 1024); // a line that never ends is not kept whole
      if (lines.some((line) => matches(line.replace(/\r$/, '')))) {
        stop();
        onMatch();
      }
    };
    stream.on('data', onData);
    detach.push(() => stream.off('data', onData));
  }
  return stop;
}
