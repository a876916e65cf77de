import type { Clock, Logs, ServiceOutput } from '../di/contracts.js';
import { errorText } from '../errors.js';
import type { ServiceRecord } from './record.js';
import type { Lifecycle } from './state-machine.js';
import type { Alert, RestartReason } from './types.js';

/** What a start that did not happen is told to: the service's record, its logs, the alerts. */
export interface StartOutcomeDeps {
  name: string;
  title: string;
  record: ServiceRecord;
  output: ServiceOutput;
  logs: Logs;
  clock: Clock;
  alert: (alert: Alert) => void;
}

/** A plugin refused the start (or its prestart ran past its deadline): recorded, logged, alerted. The caller fails the service. */
export function tellRefused(d: StartOutcomeDeps, refused: RestartReason): void {
  d.record.lastError = refused.detail;
  d.record.noteRestart(refused, d.clock.now());
  d.output.note(`not started: ${refused.detail}`);
  d.logs.startup.error(`${d.name}: not started: ${refused.detail} (${refused.by})`);
  d.alert({ level: 'critical', kind: 'start-refused', service: d.name, message: `${d.title} not started: ${refused.detail}` });
}

/** The process could not be spawned: recorded and logged; returns the restart reason the decision takes. */
export function tellSpawnFailed(d: StartOutcomeDeps, error: unknown): RestartReason {
  const detail = errorText(error);
  d.record.lastError = detail;
  d.output.note(`could not start: ${detail}`);
  d.logs.startup.error(`${d.name}: ${detail}`);
  d.record.noteExit({ code: null, signal: null }, d.clock.now());
  return { kind: 'exit', by: 'core', detail };
}

/**
 * What the `service:prestart` handlers said: go on (null, true returned), or the start does not
 * happen (false): an operator stop ended their wait ('stopped': the service is stopped), or a
 * plugin refused (the service fails, told as tellRefused says).
 */
export function prestartLetsStart(d: StartOutcomeDeps, refused: RestartReason | 'stopped' | null, life: Lifecycle): boolean {
  if (refused === null) return true;
  if (refused === 'stopped') {
    d.output.note('not started: stopped while plugins prepared its start');
    life.transition('stopped', { forced: false });
  } else {
    tellRefused(d, refused);
    life.transition('failed', { reason: refused, restarts: d.record.restarts });
  }
  return false;
}
