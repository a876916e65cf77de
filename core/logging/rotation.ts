import { createWriteStream, existsSync, readdirSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import type { RotationPolicy } from '../di/contracts.js';

/**
 * `api.log` -> `api.log.2026-11-28T00-15-03-123Z.000`: names sort by time, and a sequence
 * keeps two rotations within one millisecond apart. `.gz` is added once compressed.
 */
export function rotatedName(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/:/g, '-').replace('.', '-');
  for (let seq = 0; ; seq += 1) {
    const candidate = `${path}.${stamp}.${String(seq).padStart(3, '0')}`;
    if (!existsSync(candidate) && !existsSync(`${candidate}.gz`)) return candidate;
  }
}

/**
 * The rotated files of a log, oldest first: its own name, then exactly a rotation's stamp.
 * (`api.log.log.<stamp>`, the log of a service named `api.log`, is not `api.log`'s: pruning
 * `api`'s rotations must never delete, nor race the compression of, another log's.)
 */
export function rotatedFiles(path: string): string[] {
  const own = new RegExp(`^${basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z\\.\\d{3}(\\.gz)?$`);
  try {
    return readdirSync(dirname(path))
      .filter((f) => own.test(f))
      .sort()
      .map((f) => join(dirname(path), f));
  } catch {
    return [];
  }
}

/** Compresses a finished rotated file (off the hot path), then keeps only the newest `keep`. */
export async function afterRotation(path: string, rotated: string, policy: RotationPolicy): Promise<void> {
  if (policy.compress) {
    // Imported here: a daemon that never compresses never loads zlib (~1.5 MB resident).
    const [{ pipeline }, { createGzip }] = await Promise.all([import('node:stream/promises'), import('node:zlib')]);
    let source: FileHandle;
    try {
      source = await open(rotated, 'r'); // once open, a pruning's unlink no longer takes it away
    } catch (error) {
      // Rotations faster than compression (a flood through a small maxSize): a later one's
      // pruning removed this file first, as `keep` says. Nothing failed to be written.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await pipeline(source.createReadStream(), createGzip(), createWriteStream(`${rotated}.gz`, { mode: 0o600 }));
    rmSync(rotated, { force: true });
  }
  const all = rotatedFiles(path);
  for (const old of all.slice(0, Math.max(0, all.length - policy.keep))) rmSync(old, { force: true });
}

/**
 * A log's rotated files, compressed and pruned one rotation after the other: two at once would
 * each prune what the other still compresses.
 */
export class RotationChain {
  private pending: Promise<void>[] = [];

  /** Compresses and prunes `target` once `written` (the old file's last writes) and the rotation before it are done. */
  add(path: string, target: string, policy: RotationPolicy, written: Promise<void>, events: RotationEvents): void {
    const done = Promise.all([this.pending.at(-1), written])
      .then(() => afterRotation(path, target, policy))
      .then(
        () => events.onRotated?.(path, target),
        (error) => events.onError?.(path, error as Error),
      );
    this.pending.push(done);
    void done.finally(() => (this.pending = this.pending.filter((p) => p !== done)));
  }

  /** Resolves once the rotations under way have been compressed and pruned. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }
}

export interface RotationEvents {
  /** A rotation finished (compressed and pruned as the policy says). */
  onRotated?: (path: string, rotated: string) => void;
  /** A problem writing the file (full disk, folder gone); called once until writes work again. */
  onError?: (path: string, error: Error) => void;
}
