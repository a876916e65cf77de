import { delimiter, join } from 'node:path';
import { ZmartError } from '../../core/errors.js';
import type { DeployedFleet, DeployedService } from '../fleet-model/model.js';
import { argvOf, slug } from './carried.js';
import { environmentAssignment, environmentFileLine, execLine, NotCarried, unitPath, unitText } from './systemd-syntax.js';

/** A value systemd cannot be given exactly: the export is refused in one line naming the key. */
function carried(key: string, render: () => string): string {
  try {
    return render();
  } catch (error) {
    if (error instanceof NotCarried) throw new ZmartError('ZMART_USAGE', `${key}: ${error.message}: systemd cannot run it as zmart does`);
    throw error;
  }
}
import type { ExportedFile } from './exported.js';

export interface SystemdExport {
  files: ExportedFile[];
  /** What the target cannot carry, one line each. */
  notCarried: string[];
}

const seconds = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))}`;
/** The PATH systemd gives a service. */
const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The fleet as systemd units: one per service (a replicated one as a template unit, `web@.service`,
 * run as instances 1..N), and a `.target` that starts them all, with what
 * each service says carried as far as systemd allows (its restart policy and budget, stop signal
 * and timeout, dependencies, memory limit); the environment goes to owner-only env files.
 * `modern` (systemd 254+) adds RestartSteps/RestartMaxDelaySec for the growing backoff.
 */
export function systemdUnits(fleet: DeployedFleet, options: { modern: boolean }): SystemdExport {
  const name = slug(fleet.name);
  const replicas = new Map(fleet.services.map((s) => [s.name, s.replicas]));
  // a replicated service is a template unit run as instances 1..N: web@1.service …
  const instancesOf = (service: string) => {
    const n = replicas.get(service) ?? 1;
    return n > 1 ? Array.from({ length: n }, (_, k) => `${name}-${service}@${k + 1}.service`) : [`${name}-${service}.service`];
  };
  const files: ExportedFile[] = [];
  const notCarried = new Set<string>(['alerts, port checks and log rotation (journald keeps the output): plugins have no systemd form']);
  for (const s of fleet.services) {
    for (const line of service(s, { instancesOf, replicas }, name, options)) files.push(line);
    if (s.socket && s.port !== null) files.push(socketUnit(s, name, instancesOf(s.name)[0]!));
    if (s.health) notCarried.add(`services.${s.name}.health: systemd has no such check`);
    if (Object.keys(s.dependsOn).some((dep) => (replicas.get(dep) ?? 1) > 1))
      notCarried.add(`services.${s.name}.dependsOn: a replicated service is waited for as every instance (systemd has no "one of them")`);
    if (s.replicas > 1 && s.socket) notCarried.add(`services.${s.name}.replicas: systemd restarts each instance on its own (no rolling hand-over)`);
    if (s.watch) notCarried.add(`services.${s.name}.watch: systemd has no such check`);
    for (const key of s.zmartOnly) notCarried.add(`services.${s.name}.${key}: systemd has no such check`);
    if (s.ready || s.readyLogLine !== null) notCarried.add(`services.${s.name}.ready: systemd has no readiness probe (Type=notify needs the program's help)`);
    if (s.restart.cron) notCarried.add(`services.${s.name}.restart.cron: use a .timer unit that restarts it`);
  }
  files.push({
    name: `${name}.target`,
    content: [
      '[Unit]',
      `Description=${unitText(`zmart fleet ${name} (${fleet.source ?? 'a config built in code'})`)}`,
      `Wants=${fleet.services.flatMap((s) => instancesOf(s.name)).join(' ')}`,
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  });
  return { files, notCarried: [...notCarried] };
}

interface UnitNames {
  /** The units that run a service: itself, or its template's instances. */
  instancesOf: (service: string) => string[];
  replicas: Map<string, number>;
}

function service(s: DeployedService, names: UnitNames, fleet: string, options: { modern: boolean }): ExportedFile[] {
  // a dependency on a replicated service: after every instance, wanted (one failing does not stop the dependant)
  const [required, wanted] = [false, true].map((replicated) =>
    Object.keys(s.dependsOn)
      .filter((dep) => (names.replicas.get(dep) ?? 1) > 1 === replicated)
      .flatMap(names.instancesOf),
  ) as [string[], string[]];
  const deps = [...required, ...wanted];
  const template = s.replicas > 1;
  const unitName = template ? `${fleet}-${s.name}@.service` : names.instancesOf(s.name)[0]!;
  const exec = carried(`services.${s.name}.command`, () => execLine(argvOf(s)));
  const { backoff } = s.restart;
  const restart = s.restart.policy === 'always' ? 'always' : s.restart.policy === 'on-failure' ? 'on-failure' : 'no';
  const memory = s.memoryMaxBytes;
  // The service's own variables (not zmart's environment), as zmart would give them; a
  // virtualenv's bin/ goes before systemd's own PATH.
  const venv = s.venv ? { VIRTUAL_ENV: s.venv, PATH: [join(s.venv, 'bin'), SYSTEMD_PATH].join(delimiter) } : {};
  // Plain variables in the unit (Environment=, quoted by systemd's rules); the secret-looking
  // ones (the names zmart redacts) apart, in an owner-only env file for /etc/zmart/.
  const plain = Object.entries({ ...s.env.plain, ...venv });
  const secret = Object.entries(s.env.secret);
  const envFile = `${fleet}-${s.name}.env`;
  const assignments = plain.map(([k, v]) => `Environment=${carried(`services.${s.name}.env.${k}`, () => environmentAssignment(k, v))}`);
  const unit = [
    '[Unit]',
    `Description=${unitText(s.title)}${template ? ' #%i' : ''} (zmart fleet ${fleet})`,
    `PartOf=${fleet}.target`,
    ...(deps.length > 0 ? [`After=${deps.join(' ')}`] : []),
    ...(required.length > 0 ? [`Requires=${required.join(' ')}`] : []),
    ...(wanted.length > 0 ? [`Wants=${wanted.join(' ')}`] : []),
    // the restart budget: at most maxRestarts starts within the window (plus the first one)
    `StartLimitBurst=${s.restart.maxRestarts + 1}`,
    `StartLimitIntervalSec=${seconds(s.restart.windowMs)}`,
    '',
    '[Service]',
    'Type=exec',
    `ExecStart=${exec}`,
    `WorkingDirectory=${carried(`services.${s.name}.cwd`, () => unitPath(s.cwd))}`,
    ...(s.user !== null ? [`User=${carried(`services.${s.name}.user`, () => unitText(s.user!))}`] : []),
    ...(s.group !== null ? [`Group=${carried(`services.${s.name}.group`, () => unitText(s.group!))}`] : []),
    ...assignments,
    // each instance's number, as zmart gives each replica (%i: systemd's instance specifier)
    ...(template ? ['Environment=ZMART_REPLICA=%i'] : []),
    // replicas share the service's one socket
    ...(template && s.socket && s.port !== null ? [`Sockets=${fleet}-${s.name}.socket`] : []),
    ...(secret.length > 0 ? [`EnvironmentFile=/etc/zmart/${envFile}`] : []),
    `Restart=${restart}`,
    `RestartSec=${seconds(backoff.initialMs)}`,
    ...(options.modern && backoff.factor > 1
      ? [
          `RestartSteps=${Math.min(20, Math.ceil(Math.log(backoff.maxMs / backoff.initialMs) / Math.log(backoff.factor)))}`,
          `RestartMaxDelaySec=${seconds(backoff.maxMs)}`,
        ]
      : []),
    `KillSignal=${s.stop.signal}`,
    `TimeoutStopSec=${seconds(s.stop.timeoutMs)}`,
    // stop.mode main is systemd's mixed: the signal to the main process, SIGKILL to the rest at the timeout
    `KillMode=${s.stop.mode === 'main' ? 'mixed' : 'control-group'}`,
    ...(memory ? [`MemoryMax=${memory}`] : []),
    '',
    '[Install]',
    `WantedBy=${fleet}.target`,
    '',
  ];
  const envText = secret.map(([k, v]) => carried(`services.${s.name}.env.${k}`, () => environmentFileLine(k, v))).join('');
  // without a socket, replica i listens on port + i - 1: a drop-in per instance says so
  const ports =
    template && !s.socket && s.port !== null
      ? Array.from({ length: s.replicas - 1 }, (_, k) => ({
          name: `${fleet}-${s.name}@${k + 2}.service.d/port.conf`,
          content: `[Service]\nEnvironment=${environmentAssignment('PORT', String(s.port! + k + 1))}\n`,
        }))
      : [];
  return [{ name: unitName, content: unit.join('\n') }, ...ports, ...(secret.length > 0 ? [{ name: envFile, content: envText, secret: true }] : [])];
}

/**
 * `socket: true` as systemd does it: a `.socket` unit of the same name holds the port (Accept=no:
 * one socket for the service, given as fd 3 with LISTEN_FDS and LISTEN_PID, as zmart gives it)
 * and starts the service on the first connection; restarts refuse none. Replicas share it.
 */
function socketUnit(s: DeployedService, fleet: string, first: string): ExportedFile {
  const host = s.socket!.host.includes(':') ? `[${s.socket!.host}]` : s.socket!.host;
  const unit = `${fleet}-${s.name}.socket`;
  return {
    name: unit,
    content: [
      '[Unit]',
      `Description=${unitText(s.title)} socket (zmart fleet ${fleet})`,
      `PartOf=${fleet}.target`,
      '',
      '[Socket]',
      `ListenStream=${host}:${s.port}`,
      'Accept=no',
      // replicas: the first instance starts on the first connection; every instance lists it in Sockets=
      ...(s.replicas > 1 ? [`Service=${first}`] : []),
      `FileDescriptorName=${carried(`services.${s.name}`, () => unitText(s.name))}`,
      'Backlog=1024',
      '',
      '[Install]',
      'WantedBy=sockets.target',
      '',
    ].join('\n'),
  };
}
