import { meant } from '../../core/config/suggest.js';
import { join } from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { findConfigFile } from '../../core/config/locate.js';
import { checkFileRoom } from '../../core/process/fd-room.js';
import type { ResolvedConfig } from '../../core/config/types.js';
import { type LaunchedDaemon, launchDaemon, launchEarly } from './start-daemon.js';
import { callControl, isCutOff, isForbidden, isTimeout, isUnreachable, notYours } from '../../core/daemon/control-client.js';
import { socketPathFor } from '../../core/daemon/registry.js';
import { tailLines } from '../../core/logging/tail.js';
import type { ServiceProgress, StatusReport } from '../../core/status/types.js';
import type { StartReport } from '../../core/supervisor.js';
import { withDependencies } from '../../core/fleet/graph.js';
import { formatDuration, formatNames } from '../../core/format.js';
import { type CtrlC, takeCtrlC } from '../ctrl-c.js';
import { isSameProcess } from '../../core/process/proc.js';
import { pickTable } from '../../core/process/table/pick.js';
import { parseDuration } from '../../core/units.js';
import { ZmartError } from '../../core/errors.js';
import { builtinPlugins } from '../builtins.js';
import type { Output } from '../output.js';
import { describeService } from '../render/status-text.js';

export interface BackgroundStartOptions {
  config?: string;
  services: string[];
  /** How long to wait for the fleet to come up, as a duration string. */
  wait: string;
  /** A supervisor launched before the full CLI loaded (cli/early-start.ts): taken if it is for this start, else aborted. */
  early?: LaunchedDaemon;
}

const POLL_MS = 100;
const FIRST_POLL_MS = 20;

/**
 * `zmart start`: validates the config, launches the supervisor in the background (its own
 * session: it survives the terminal), then follows each service until it is up or down.
 * Exit 0 when all are up; 1 naming what did not come up, with the last lines of its log.
 */
export async function startBackground(options: BackgroundStartOptions, out: Output): Promise<number> {
  let waitMs: number | undefined;
  let file: string;
  try {
    waitMs = parseDuration(options.wait);
    if (waitMs === undefined) throw new ZmartError('ZMART_USAGE', `--wait: expected a duration like '30s' or '2m', got ${JSON.stringify(options.wait)}`);
    file = await findConfigFile({ configPath: options.config });
  } catch (error) {
    await options.early?.abort();
    throw error;
  }
  // The supervisor boots (Node and its code, ~150 ms) while this process checks the config.
  const handed = options.early;
  const fits = handed && handed.configFile === file && handed.services.join('\0') === options.services.join('\0');
  if (handed && !fits) await handed.abort();
  const early = fits ? handed : launchEarly(file, options.services);
  let config: ResolvedConfig;
  let socket: string;
  let existing: StatusReport | null;
  try {
    config = await loadConfig({ configPath: file, builtins: builtinPlugins }); // found once
    checkFileRoom(config.services.length, config.file!);
    for (const name of options.services) {
      if (!config.services.some((s) => s.name === name)) {
        throw new ZmartError(
          'ZMART_USAGE',
          `no service named '${name}' in ${config.file}${meant(
            name,
            config.services.map((s) => s.name),
          )} (known: ${config.services.map((s) => s.name).join(', ')})`,
        );
      }
    }
    socket = socketPathFor(config.pidDir, config.file!);
    // A supervisor that listens but does not answer is still there: say so, start nothing.
    existing = await status(socket, 'throw');
  } catch (error) {
    await early?.abort(); // whatever went wrong, the early supervisor made nothing and goes
    throw error;
  }
  for (const note of config.notes) out.line(`⚠ ${note}`);
  const t0 = Date.now();
  if (existing) {
    await early?.abort();
    if (options.services.length === 0) {
      out.line(`zmart is already running for ${config.root} (pid ${existing.supervisor.pid}); nothing changed. 'zmart status' shows the fleet.`);
      return 0;
    }
    const request = callControl(socket, 'POST', '/v1/start', { services: options.services }, waitMs + 5000);
    return announced(`zmart ${existing.supervisor.pid}: starting ${formatNames(options.services)}`, out, (ctrlC) =>
      follow(socket, options.services, existing, t0, waitMs, out, ctrlC, request),
    );
  }

  let launched = early;
  if (launched && (launched.logDir !== config.logDir || launched.root !== config.root)) {
    await launched.abort(); // its zmart.out or its folder would be the wrong one
    launched = null;
  }
  launched?.go();
  launched ??= launchDaemon({ configFile: config.file!, root: config.root, logDir: config.logDir, services: options.services, early: false });
  const { child, outFile } = launched;
  let exited: number | null = child.exitCode ?? (child.signalCode ? 1 : null);
  child.once('exit', (code) => (exited = code ?? 1));

  // Wait for its control socket, or for it to die trying.
  let first: StatusReport | null = null;
  while (!first) {
    first = await status(socket, 'null', '/v1/states');
    if (first) break;
    if (exited !== null) {
      const already = await status(socket); // lost a race with another `zmart start`
      if (already) {
        out.line(`zmart is already running for ${config.root} (pid ${already.supervisor.pid}); nothing changed.`);
        return 0;
      }
      out.error(`the supervisor exited (code ${exited}) before it was up; last lines of ${outFile}:`);
      for (const line of tailLines(outFile, 10)) out.error(`  ${line}`);
      return 1;
    }
    if (Date.now() - t0 > 15_000) {
      out.error(`the supervisor (pid ${child.pid}) did not open ${socket} within 15s; see ${outFile}`);
      return 1;
    }
    await sleep(Date.now() - t0 < 1000 ? FIRST_POLL_MS : 50);
  }
  const started = first;
  return announced(
    `zmart ${first.supervisor.pid}: starting ${formatNames(config.services.map((s) => s.name))} in the background (${config.file})`,
    out,
    (ctrlC) => follow(socket, options.services, started, t0, waitMs, out, ctrlC),
  );
}

/** Prints what the supervisor starts, then follows it: from that line on, Ctrl-C ends the wait (exit 130), not the fleet. */
async function announced(line: string, out: Output, followIt: (ctrlC: CtrlC) => Promise<number>): Promise<number> {
  const ctrlC = takeCtrlC();
  try {
    out.line(line);
    return await followIt(ctrlC);
  } finally {
    ctrlC.end();
  }
}

/** Prints each service as it comes up or goes down; returns the exit code. */
async function follow(
  socket: string,
  names: string[],
  first: StatusReport,
  t0: number,
  waitMs: number,
  out: Output,
  ctrlC: CtrlC,
  request?: Promise<unknown>,
): Promise<number> {
  if (waitMs === 0) {
    // --wait 0: do not wait for the services; the supervisor has them (and answered once more).
    await status(socket);
    out.line(`not waiting for the services (--wait 0): 'zmart status' shows them.`);
    return 0;
  }
  // A start sent to a running supervisor: a service that was failed before it is not down
  // again until the supervisor's answer says so (the first polls may still show the old state).
  let answered: Set<string> | null = null;
  request?.then(
    (response) => (answered = new Set(((response as { body?: StartReport }).body?.down ?? []).map((d) => d.name))),
    () => (answered = new Set()),
  );
  const isDown = (name: string, downNow: boolean) => (request ? answered !== null && (answered.has(name) || downNow) : downNow);
  const wanted = names.length === 0 ? first.services.map((s) => s.name) : withDependencies(first.services, names);
  const wantedSet = new Set(wanted);
  // often in the first second (a small fleet is up within it: the answer should not wait for a
  // poll), then every POLL_MS; a large fleet less often (its supervisor has thousands of spawns to make)
  const pollMs = () => Math.max(Date.now() - t0 < 1000 ? FIRST_POLL_MS : POLL_MS, Math.min(1000, wanted.length / 2));
  const done = new Map<string, boolean>();
  const width = Math.max(...wanted.map((n) => n.length));
  const supervisorPid = first.supervisor.pid ?? -1;
  const table = pickTable();
  const supervisorStart = table.stat(supervisorPid)?.startTime ?? -1;
  const spinner = createSpinner(out);
  let services: ServiceProgress[] = first.services;
  const route = { path: '/v1/progress' };
  for (;;) {
    if (ctrlC.came) {
      spinner.clear();
      const pending = wanted.filter((n) => !done.has(n));
      out.line(
        `stopped waiting: the supervisor (pid ${first.supervisor.pid}) goes on starting ${formatNames(pending)} in the background; 'zmart status' shows them, 'zmart stop' stops them.`,
      );
      return 130;
    }
    for (const s of services.filter((x) => wantedSet.has(x.name) && !done.has(x.name))) {
      const up = s.ready;
      const down = isDown(s.name, s.state === 'failed' || s.state === 'exited' || (s.state === 'stopped' && blockedBy(services, s.name) !== ''));
      if (!up && !down) continue;
      done.set(s.name, up);
      const { text } = describeService(s);
      spinner.clear();
      const when = out.dim(`(${formatDuration(Date.now() - t0)})`);
      if (up) out.line(`  ${out.ok('✔')} ${s.name.padEnd(width)} ${text.toLowerCase()}  pid ${s.pid}  ${when}`);
      else out.line(`  ${out.bad('✖')} ${s.name.padEnd(width)} ${s.state === 'stopped' ? `not started: ${blockedBy(services, s.name)}` : text}  ${when}`);
    }
    const pending = wanted.filter((n) => !done.has(n));
    if (pending.length === 0) break;
    if (Date.now() - t0 > waitMs) {
      spinner.clear();
      for (const name of pending)
        out.line(`  ${out.bad('…')} ${name.padEnd(width)} still ${services.find((s) => s.name === name)?.state} after ${formatDuration(waitMs)}`);
      break;
    }
    spinner.show(pending.length > 5 ? `waiting for ${pending.length} of ${wanted.length} services` : `waiting for ${pending.join(', ')}`);
    await Promise.race([sleep(pollMs()), ctrlC.comes]);
    if (ctrlC.came) continue;
    // the progress, no metrics or resources (cheap however large the fleet); a Ctrl-C does not wait for a busy supervisor's answer
    const next = await Promise.race([progressOf(socket, route), ctrlC.comes.then(() => null)]);
    if (ctrlC.came) continue;
    if (!next && !isSameProcess(table, supervisorPid, supervisorStart)) {
      // Nobody answers and the supervisor is gone: say so now, not after the whole --wait.
      spinner.clear();
      out.error(
        `the supervisor (pid ${first.supervisor.pid}) died while starting ${pending.join(', ')}; see ${join(first.supervisor.logDir, 'zmart.out')} and zmart.log there`,
      );
      return 1;
    }
    services = next ?? services;
  }
  spinner.clear();
  const down = wanted.filter((n) => done.get(n) !== true);
  if (down.length === 0) {
    out.line(`${wanted.length}/${wanted.length} up in ${formatDuration(Date.now() - t0)}. 'zmart status' shows them, 'zmart stop' stops them.`);
    return 0;
  }
  for (const name of down) {
    const log = join(first.supervisor.logDir, `${name}.log`);
    out.line(`\n${name} did not come up; last lines of ${log}:`);
    for (const line of tailLines(log, 5)) out.line(out.dim(`  ${line}`));
  }
  out.line(`\n${wanted.length - down.length}/${wanted.length} up; not up: ${down.join(', ')}. The supervisor keeps running ('zmart stop' ends it).`);
  return 1;
}

/** Why a stopped service was not started: a dependency that is down, or '' if none is. */
function blockedBy(services: ServiceProgress[], name: string): string {
  const service = services.find((s) => s.name === name);
  const dep = services.find((d) => service?.dependsOn.includes(d.name) && ['failed', 'exited', 'stopped'].includes(d.state));
  return dep && (dep.state !== 'stopped' || blockedBy(services, dep.name)) ? `dependency ${dep.name} is ${dep.state}` : '';
}

/**
 * The daemon's status; null while it does not listen, and (unless `whenBusy` is 'throw')
 * while it is too busy to answer within 5 s (a machine short of memory or CPU can make it):
 * a caller following a start keeps its last report and its own deadline.
 */
async function status(socket: string, whenBusy: 'null' | 'throw' = 'null', path = '/v1/status'): Promise<StatusReport | null> {
  const answer = await ask<StatusReport>(socket, path, whenBusy);
  return answer?.status === 200 ? answer.body : null;
}

/** The services as a start follows them (/v1/progress; a supervisor from before it: its states); null without an answer. */
export async function progressOf(socket: string, route: { path: string }): Promise<ServiceProgress[] | null> {
  const answer = await ask<{ services: ServiceProgress[] }>(socket, route.path, 'null');
  if (answer?.status === 404 && route.path === '/v1/progress') {
    route.path = '/v1/states';
    return progressOf(socket, route);
  }
  return answer?.status === 200 ? answer.body.services : null;
}

/** A GET of the control API; null while it does not listen (or, unless 'throw', answers too slowly). */
async function ask<T>(socket: string, path: string, whenBusy: 'null' | 'throw'): Promise<{ status: number; body: T } | null> {
  try {
    return await callControl<T>(socket, 'GET', path, undefined, 5000);
  } catch (error) {
    // gone, or killed while it answered: no answer (a start that follows it then sees it died)
    if (isUnreachable(error) || isCutOff(error) || (whenBusy === 'null' && isTimeout(error))) return null;
    if (isForbidden(error)) throw notYours(socket, 'this config');
    throw error;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A one-line spinner on a TTY; nothing at all in a pipe or under NO_COLOR-less dumb terminals. */
function createSpinner(out: Output) {
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  let shown = false;
  return {
    show(text: string) {
      if (!out.interactive) return;
      out.raw(`\r\u001b[K${frames[i++ % frames.length]} ${text}`);
      shown = true;
    },
    clear() {
      if (shown) out.raw('\r\u001b[K');
      shown = false;
    },
  };
}
