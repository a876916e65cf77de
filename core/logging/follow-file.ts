import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { rotatedFiles } from './rotation.js';

interface Followed {
  fd: number;
  ino: number;
  offset: number;
  /** The size at the previous look: a rotated file that stopped growing is finished. */
  seen: number;
  /** When it was opened: it was then the live file, so it was rotated about or after this. */
  openedAt: number;
  /** Its rotated name, once known (seen beside it uncompressed, or found by its first bytes). */
  rotatedAs?: string;
}

/** How much of a file's start identifies it among the rotated ones (each line is stamped). */
const KEY_BYTES = 256;
/** Compressed bytes inflated to read a `.gz` file's start. */
const GZ_HEAD_BYTES = 16 * 1024;

/** When a rotated file (`api.log.2026-11-28T00-15-03-123Z.000[.gz]`) was rotated, in epoch ms. */
const rotatedAt = (name: string): number => {
  const m = /\.(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z\.\d{3}(\.gz)?$/.exec(name);
  return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : Number.NaN;
};

/**
 * Follows `file` through rotations as `tail -F` does: each call reads what was appended since
 * the last. Each file the path names is opened as soon as it is seen and read to its end, and
 * the next is printed only once the rotated one has stopped growing. Files that were rotated
 * (and maybe compressed) between two calls are read from disk in between. Every line once, in
 * order. A file that shrank in place (truncated) is read again from its start.
 *
 * Where a held file stands among the rotated ones is known by the path (still the live file), by
 * its name when it was seen uncompressed (same inode), else by its first bytes (a compressed
 * file is a new inode), else by when it was opened. The last alone misplaced files in a flood: a rotation's name carries
 * the time its batch of writes began, which may precede the moment the follower opened the
 * file, and one file was then skipped and another printed twice.
 */
export function followFile(file: string, onLine: (line: string) => void): () => void {
  const chain: Followed[] = [];
  /** First bytes of rotated files by name, once KEY_BYTES of them are there (they never change; `.gz` is a new name). */
  const keys = new Map<string, Buffer>();
  let partial = '';
  const emit = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  const open = (fromEnd: boolean) => {
    try {
      const fd = openSync(file, 'r');
      const { ino, size } = fstatSync(fd);
      chain.push({ fd, ino, offset: fromEnd ? size : 0, seen: -1, openedAt: Date.now() });
    } catch {
      // not there (yet)
    }
  };
  const drain = (f: Followed) => {
    const size = fstatSync(f.fd).size;
    if (size < f.offset) f.offset = 0;
    if (size === f.offset) return;
    const buffer = Buffer.alloc(size - f.offset);
    readSync(f.fd, buffer, 0, buffer.length, f.offset);
    f.offset = size;
    emit(buffer.toString('utf8'));
  };
  const keyOf = (name: string): Buffer | null => {
    const known = keys.get(name);
    if (known) return known;
    const key = firstBytes(name); // a .gz being written may not give them all yet
    if (key?.length === KEY_BYTES) keys.set(name, key);
    return key;
  };
  /** The inode the path names at this look (null: rotated away, the next not there yet). */
  let live: number | null = null;
  /** Where a held file stands among the rotated ones (rotated.length: not rotated yet). */
  const indexOf = (rotated: string[], f: Followed | undefined) => {
    if (!f || f.ino === live) return rotated.length;
    if (!f.rotatedAs) {
      const key = readKey(f.fd);
      const same = key.length > 0 ? rotated.filter((name) => keyOf(name)?.equals(key)) : [];
      if (same.length === 1) f.rotatedAs = same[0];
    }
    const i = f.rotatedAs ? rotated.indexOf(f.rotatedAs.replace(/\.gz$/, '')) : -1;
    const j = f.rotatedAs ? rotated.indexOf(`${f.rotatedAs.replace(/\.gz$/, '')}.gz`) : -1;
    if (i >= 0 || j >= 0) return Math.max(i, j);
    const k = rotated.findIndex((name) => rotatedAt(name) >= f.openedAt);
    return k === -1 ? rotated.length : k;
  };
  const readWhole = (path: string) => {
    try {
      const data = readFileSync(path);
      emit((path.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8'));
    } catch {
      // pruned meanwhile: nothing left to read
    }
  };
  open(true);
  return () => {
    live = inode(file);
    if (live !== null && chain.at(-1)?.ino !== live) open(false);
    const rotated = rotatedFiles(file);
    for (const name of keys.keys()) if (!rotated.includes(name)) keys.delete(name);
    for (const f of chain) {
      f.rotatedAs ??= rotated.find((name) => !name.endsWith('.gz') && inode(name) === f.ino);
    }
    while (chain.length > 0) {
      const head = chain[0]!;
      drain(head);
      const finished = chain.length > 1 && head.offset === head.seen;
      head.seen = head.offset;
      if (!finished) break;
      const from = indexOf(rotated, head) + 1;
      closeSync(head.fd);
      chain.shift();
      // rotated, and maybe compressed, between two looks: never held, read from disk
      for (const name of rotated.slice(from, indexOf(rotated, chain[0]))) readWhole(name);
    }
  };
}

/** A held file's first bytes, read through its descriptor. */
function readKey(fd: number): Buffer {
  const key = Buffer.alloc(KEY_BYTES);
  return key.subarray(0, readSync(fd, key, 0, KEY_BYTES, 0));
}

/** A rotated file's first bytes, inflating only the start of a `.gz`; null if it is gone or unreadable. */
function firstBytes(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    if (!path.endsWith('.gz')) return readKey(fd);
    const head = Buffer.alloc(GZ_HEAD_BYTES);
    const start = gunzipSync(head.subarray(0, readSync(fd, head, 0, GZ_HEAD_BYTES, 0)), { finishFlush: constants.Z_SYNC_FLUSH });
    return start.subarray(0, KEY_BYTES);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function inode(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}
