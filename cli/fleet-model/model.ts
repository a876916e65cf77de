import type { DependencyCondition, ResolvedRestart, StopPolicy } from '../../core/config/types.js';
import type { ProbeDescription } from '../../core/probe.js';

/**
 * One service as any supervisor would run it, said once and for every target: what runs and
 * where, with which variables, checked how, stopped and restarted how. `zmart export` builds it
 * from the resolved config and each target renders it with its own escaping; `zmart import`
 * builds it from a PM2, supervisord, Procfile or Compose file and writes it as a zmart config.
 */
export interface DeployedService {
  name: string;
  title: string;
  /** What runs: a string runs through /bin/sh -c, an array is the argv. */
  command: string | string[];
  /** Absolute. */
  cwd: string;
  /** The container image (Compose and Kubernetes only). */
  image: string | null;
  user: string | null;
  group: string | null;
  /** The service's own variables (never the supervisor's), plain ones and the secret-looking ones apart. */
  env: { plain: Record<string, string>; secret: Record<string, string> };
  /**
   * Env files kept as files, absolute (an import keeps the secrets it finds in them out of the
   * config). An export has read them already: their values are in `env`.
   */
  envFiles: string[];
  /** A Python virtualenv, relative to `cwd`. */
  venv: string | null;
  port: number | null;
  /** zmart holds the port's listening socket and hands it over as fd 3 (`socket`): where it binds, or null. */
  socket: { host: string } | null;
  /** Liveness, with every setting filled in (null: nothing probes it). */
  health: ProbeDescription | null;
  /** Readiness, apart from liveness. */
  ready: ProbeDescription | null;
  /** Readiness by a line of output: no other target can read the output. */
  readyLogLine: string | null;
  /** Unprobed: up once it has run this long. */
  readyAfterMs: number;
  memoryMaxBytes: number | null;
  dependsOn: Record<string, DependencyCondition>;
  stop: StopPolicy;
  restart: ResolvedRestart;
  replicas: number;
  /** Restart on file changes under these paths (relative to `cwd`; '.' the service's own folder), except `ignore`; or null. */
  watch: { paths: string[]; ignore: string[] } | null;
  /** Per-service keys of plugins no other supervisor has (a custom plugin's, health-http's `slow`). */
  zmartOnly: string[];
}

/** The whole fleet. */
export interface DeployedFleet {
  /** The fleet's name: its folder's. */
  name: string;
  /** The folder relative paths resolve against. */
  root: string;
  /** Where it was read from. */
  source: string | null;
  /** In dependency order. */
  services: DeployedService[];
  /** Plugins running beside the services that no target carries (alerts, port checks, log rotation, a custom one). */
  plugins: string[];
}
