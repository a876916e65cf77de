import * as z from '../zod.js';
import type { Server } from 'node:http';

/** A config value that is a listen address: `host:port` (`127.0.0.1:9464`, `[::1]:9464`). */
export const listenAddress = () =>
  z.string().check(z.refine((text: string) => /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(text), "expected 'host:port', like '127.0.0.1:9464'"));

/** A listen address as views take it: `host:port` or `[v6]:port`. */
export interface ListenTarget {
  host: string;
  port: number;
}

export function parseListen(text: string): ListenTarget {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(text.slice(at + 1)) };
}

/** True for addresses only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export const isLoopback = (target: ListenTarget): boolean => target.host === 'localhost' || target.host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(target.host);

/**
 * Starts `server` listening, with the limits a small view needs (headers within 2 s, a request
 * within 5 s, 64 connections); rejects with one line naming the address and the reason.
 */
export function listen(server: Server, text: string): Promise<void> {
  const { host, port } = parseListen(text);
  server.headersTimeout = 2000;
  server.requestTimeout = 5000;
  server.maxConnections = 64;
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        new Error(`cannot listen on ${text}: ${error.code === 'EADDRINUSE' ? 'the address is in use' : error.message}${error.code ? ` (${error.code})` : ''}`),
      );
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
