import { spawn } from 'node:child_process';
import { ZmartError } from '../errors.js';
import type { ProcessTable } from '../di/contracts.js';
import { bindSocket } from './bound-socket.js';

/** A listening socket zmart holds for a service, and the descriptor its processes get as fd 3. */
export interface HeldSocket {
  fd: number;
  /** LISTEN_FDNAMES: the service's name. */
  name: string;
}

interface Entry extends HeldSocket {
  close(): void;
  host: string;
  port: number;
}

/** What the kernel queues while no process accepts: a restart's connections wait there. */
const BACKLOG = 1024;

/**
 * The listening sockets of the services with `socket`: bound the first time a service starts,
 * kept while it restarts (connections wait in the socket's queue for the next process), closed
 * when it is stopped or removed and when the supervisor stops. systemd's socket activation,
 * wherever zmart runs. zmart never accepts on them: its processes do.
 */
export class ListenSockets {
  private readonly held = new Map<string, Entry>();

  constructor(private readonly table: ProcessTable) {}

  /** The service's socket, bound and listening now if it is not yet (or if its address changed). */
  async acquire(service: string, host: string, port: number): Promise<HeldSocket> {
    const current = this.held.get(service);
    if (current && current.host === host && current.port === port) return current;
    if (current) this.release(service);
    let socket: { fd: number; close(): void };
    try {
      socket = bindSocket(host, port);
    } catch (error) {
      throw new ZmartError('ZMART_START_FAILED', `cannot start ${service}: ${this.why(error as NodeJS.ErrnoException, host, port)}`, { cause: error });
    }
    try {
      await listenOn(socket.fd);
    } catch (error) {
      socket.close();
      throw new ZmartError('ZMART_START_FAILED', `cannot start ${service}: cannot listen on ${host}:${port} (${(error as Error).message})`, { cause: error });
    }
    const entry = { ...socket, host, port, name: service };
    this.held.set(service, entry);
    return entry;
  }

  /** Closes the sockets of services none of whose processes live or will (stopped, removed): their ports are free again. */
  releaseUnless(inUse: Set<string>): void {
    for (const service of [...this.held.keys()]) if (!inUse.has(service)) this.release(service);
  }

  /** Closes the service's socket: its port is free again. */
  release(service: string): void {
    const entry = this.held.get(service);
    if (!entry) return;
    this.held.delete(service);
    entry.close();
  }

  private why(error: NodeJS.ErrnoException, host: string, port: number): string {
    if (error.code !== 'EADDRINUSE') return `cannot bind ${host}:${port} (${error.code ?? error.message})`;
    const holders = this.table.listeners(port) ?? [];
    const named = holders.map((l) => `pid ${l.pid} (${l.command})`).join(', ');
    return `port ${port} on ${host} is taken${named ? ` by ${named}, a process zmart did not start` : ' by another process'}`;
  }
}

/**
 * Puts the bound socket in the listening state without zmart's event loop ever accepting on it:
 * a short-lived Node child given it as fd 3 calls listen(2) on it and exits (the state belongs to
 * the socket, which zmart still holds).
 */
function listenOn(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen({ fd: 3, backlog: ${BACKLOG} }, () => process.exit(0))`], {
      stdio: ['ignore', 'ignore', 'pipe', fd],
      timeout: 10_000,
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(stderr.split('\n').find((l) => /Error/.test(l)) ?? `exit ${code ?? signal}`)),
    );
  });
}

/**
 * The fleet's side of it: the socket a service's process gets (by its group: replicas share
 * one), and the sockets closed once no process of their service lives or will.
 */
export class FleetSockets {
  private readonly sockets: ListenSockets;

  constructor(
    table: ProcessTable,
    private readonly services: () => Iterable<{ state: string; config: { group: string } }>,
  ) {
    this.sockets = new ListenSockets(table);
  }

  /** For a service with `socket`: its held socket (bound at its first start); else null. */
  socketFor = async (s: { group: string; socket: { host: string } | null; port: number | null }): Promise<HeldSocket | null> =>
    s.socket && s.port !== null ? this.sockets.acquire(s.group, s.socket.host, s.port) : null;

  /** Closes the sockets of services that were stopped or removed. */
  releaseIdle(): void {
    const live = [...this.services()].filter((c) => !['stopped', 'exited', 'failed'].includes(c.state));
    this.sockets.releaseUnless(new Set(live.map((c) => c.config.group)));
  }
}
