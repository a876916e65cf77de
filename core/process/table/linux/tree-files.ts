import { readdirSync, readFileSync } from 'node:fs';
import { pageSize, readSmallFile } from './proc-files.js';

/** Resident bytes of one process from /proc/PID/statm (a shorter read than status), 0 when gone. */
export function residentBytes(pid: number): number {
  const text = readSmallFile(`/proc/${pid}/statm`);
  return text === null ? 0 : Number(text.split(' ')[1]) * pageSize();
}

/**
 * The children of every thread of `pid` (/proc/PID/task/TID/children). A process known to
 * have one thread has one list, read without listing its task folder (most of the cost).
 */
export function childrenOf(pid: number, threads?: number): number[] {
  if (threads === 1) return (readSmallFile(`/proc/${pid}/task/${pid}/children`) ?? '').split(' ').filter(Boolean).map(Number);
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tasks) {
    // null: the thread ended meanwhile
    for (const child of readSmallFile(`/proc/${pid}/task/${tid}/children`)?.split(' ') ?? []) if (child) children.push(Number(child));
  }
  return children;
}

/** True where the kernel lists children per thread (CONFIG_PROC_CHILDREN; every mainstream distribution). */
export const listsChildren = (() => {
  let known: boolean | null = null;
  return () => {
    if (known === null) {
      try {
        readFileSync(`/proc/${process.pid}/task/${process.pid}/children`);
        known = true;
      } catch {
        known = false;
      }
    }
    return known;
  };
})();
