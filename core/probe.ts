/**
 * What a health plugin probes, said in a form other parts can read without importing the
 * plugin: `zmart export` turns it into a systemd watchdog, a Compose healthcheck or a
 * Kubernetes probe. A plugin fills it through `describeProbes` in its definition.
 */

/** What is probed: an HTTP GET, a TCP connect or a command. */
export type ProbeTarget = { kind: 'http'; url: string } | { kind: 'tcp'; port: number } | { kind: 'exec'; command: string | string[] };

/** One probe with every setting filled in. */
export interface ProbeDescription {
  probe: ProbeTarget;
  /** The probe in words, for logs and restart details: the URL, `tcp 127.0.0.1:5432`, `exec pg_isready -q`. */
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** Failures in a row before the service is restarted. */
  failureThreshold: number;
  /** Failures this soon after a start do not count. */
  startPeriodMs: number;
  /** HTTP statuses that pass, low and high. */
  expect: [number, number];
  /** Restart when this many probes in a row take longer than `thresholdMs`; null: never. */
  slow: { thresholdMs: number; count: number } | null;
}

/** A service's probes as one plugin runs them: liveness (`health`) and readiness (`ready`). */
export interface ServiceProbes {
  health: ProbeDescription | null;
  ready: ProbeDescription | null;
}
