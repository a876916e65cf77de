import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Who a service runs as (`user`, `group`), looked up when the config is read. */
export interface RunAs {
  /** The user's name (null when only `group` was given: the service runs as zmart's user). */
  user: string | null;
  uid: number;
  gid: number;
  /** The user's home folder: the service's HOME (null when unknown, or only `group` was given). */
  home: string | null;
}

/** A line of /etc/passwd or /etc/group whose first field is `name` (or whose id field is it, numeric). */
function entry(file: string, name: string, idField: number): string[] | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name || (/^\d+$/.test(name) && fields[idField] === name)) return fields;
  }
  return null;
}

/** `id -u|-g NAME` (macOS keeps its users in Directory Services, not only /etc/passwd); null when unknown. */
function idOf(flag: '-u' | '-g', name: string): number | null {
  const result = spawnSync('/usr/bin/id', [flag, name], { encoding: 'utf8', timeout: 5000 });
  const id = Number(result.stdout?.trim());
  return result.status === 0 && Number.isInteger(id) ? id : null;
}

/**
 * Looks up `user` (a name, or a numeric uid) and `group` (the user's primary group by default);
 * a string saying what is wrong when either is unknown, or when zmart, not root, is asked to
 * run a service as anyone but itself.
 */
export function lookupRunAs(user: string | undefined, group: string | undefined, self: number): RunAs | string {
  const passwd = user === undefined ? null : entry('/etc/passwd', user, 2);
  const uid = user === undefined ? self : passwd ? Number(passwd[2]) : idOf('-u', user);
  if (uid === null) return `no user named '${user}' on this machine`;
  let gid: number | null = passwd ? Number(passwd[3]) : user === undefined ? (process.getgid?.() ?? 0) : idOf('-g', user);
  if (group !== undefined) {
    const line = entry('/etc/group', group, 2);
    gid = line ? Number(line[2]) : /^\d+$/.test(group) ? Number(group) : null;
    if (gid === null) return `no group named '${group}' on this machine`;
  }
  if (gid === null) return `cannot tell the primary group of '${user}'`;
  if (self !== 0 && (uid !== self || gid !== (process.getgid?.() ?? gid))) {
    return `zmart runs as uid ${self}, not root: it can run services only as itself (start zmart as root, or drop this key)`;
  }
  return { user: user === undefined ? null : (passwd?.[0] ?? user), uid, gid, home: passwd?.[5] || null };
}
