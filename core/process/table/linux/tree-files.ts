import { readdirSync, readFileSync } from 'node:fs';

/** Bytes per page, found once from this process's own resident pages and RSS. */
let pageBytes: number | null = null;
function pageSize(): number {
  if (pageBytes === null) {
    const pages = Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]);
    const estimate = process.memoryUsage().rss / Math.max(1, pages);
    pageBytes = 2 ** Math.round(Math.log2(estimate)); // 4096 on most machines, 16K or 64K on some arm64
  }
  return pageBytes;
}

/** Resident bytes of one process from /proc/PID/statm (a shorter read than status), 0 when gone. */
export function residentBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * pageSize();
  } catch {
    return 0;
  }
}

/** The children of every thread of `pid` (/proc/PID/task/TID/children). */
export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (child) children.push(Number(child));
    } catch {
      // the thread ended meanwhile
    }
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
