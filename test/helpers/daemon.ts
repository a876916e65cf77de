import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startCli, type CliProcess, type CliResult } from './cli.js';
import { FIXTURE, killAll, tempDir } from './project.js';

export interface Project {
  dir: string;
  env: Record<string, string>;
  pidDir: string;
  logDir: string;
  zmart(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  spawnZmart(args: string[]): CliProcess;
  writeConfig(body: string): void;
  pid(name: string): number | null;
  /** Stops the fleet, then kills whatever pid file still names, daemon included. */
  cleanup(): Promise<void>;
}

/** `[node, server.mjs, ...flags]` as config source text. */
export const fixtureCommand = (...flags: Array<string | number>): string => JSON.stringify([process.execPath, FIXTURE, ...flags.map(String)]);

/**
 * A project folder with its own zmart.config.ts and its own ZMART_HOME, so that daemons
 * started by different tests never meet.
 */
export function createProject(configBody: string): Project {
  const { dir, cleanup } = tempDir();
  const env = { ZMART_HOME: join(dir, '.zmart-home') };
  const pidDir = join(dir, 'server_pids');
  const project: Project = {
    dir,
    env,
    pidDir,
    logDir: join(dir, 'logs'),
    zmart: (args, extraEnv = {}) => runCli(args, { cwd: dir, env: { ...env, ...extraEnv }, timeoutMs: 20_000 }),
    spawnZmart: (args) => startCli(args, { cwd: dir, env }),
    writeConfig: (body) => writeFileSync(join(dir, 'zmart.config.ts'), `import { defineConfig } from 'zmart';\nexport default defineConfig(${body});\n`),
    pid: (name) => {
      try {
        return Number(readFileSync(join(pidDir, `${name}.pid`), 'utf8'));
      } catch {
        return null;
      }
    },
    cleanup: async () => {
      const pids = existsSync(pidDir)
        ? readdirSync(pidDir)
            .filter((f) => f.endsWith('.pid'))
            .map((f) => Number(readFileSync(join(pidDir, f), 'utf8')))
        : [];
      await runCli(['stop'], { cwd: dir, env, timeoutMs: 15_000 }).catch(() => undefined);
      killAll(pids);
      cleanup();
    },
  };
  project.writeConfig(configBody);
  return project;
}
