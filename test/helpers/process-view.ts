import { readFileSync } from 'node:fs';
import { get } from 'node:http';

/** The argv a process of ours was given (Linux's /proc). */
export const argvOf = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);

/** The environment a process of ours was given (Linux's /proc). */
export const envOf = (pid: number): Record<string, string> =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

/** One GET / on a new connection: the body (the fixture's pid with --listen-fd), or the error. */
export const ask = (port: number): Promise<string> =>
  new Promise<string>((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });

/** Requests without pause from 4 clients (a new connection each) while `during` runs: who answered, how often, and what failed. */
export async function underLoad(port: number, during: () => Promise<unknown>): Promise<{ pids: Set<string>; failed: string[]; answered: number }> {
  const pids = new Set<string>();
  const failed: string[] = [];
  let answered = 0;
  let done = false;
  const client = async () => {
    while (!done) {
      try {
        pids.add(await ask(port));
        answered += 1;
      } catch (error) {
        failed.push((error as Error).message);
      }
    }
  };
  const clients = Array.from({ length: 4 }, client);
  try {
    await during();
  } finally {
    done = true;
    await Promise.all(clients);
  }
  return { pids, failed, answered };
}
