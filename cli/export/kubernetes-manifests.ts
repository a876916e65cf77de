import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { ZmartError } from '../../core/errors.js';
import type { ProbeDescription as ProbeSettings } from '../../core/probe.js';
import type { DeployedFleet, DeployedService } from '../fleet-model/model.js';
import { argvOf, commonLosses, containerDir, containerEnv, dollarsKept, hostsByPort, slug } from './carried.js';
import type { FleetExport } from './exported.js';

export type KubernetesObject = IDeployment | IJob | IService | IConfigMap | ISecret;

/** What the dependency waits run: a small image with `nc`. */
export const WAIT_IMAGE = 'busybox:1.37';

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** An object name: a DNS-1035 label (a letter first, at most 63), from the service's name. */
function objectName(service: string): string {
  const name = slug(service);
  return (/^[a-z]/.test(name) ? name : `s-${name}`).slice(0, 63).replace(/-+$/, '');
}

/** A probe's action: an HTTP GET, a TCP connect or a command, as the kubelet runs them. */
function probeAction(probe: ProbeSettings): Pick<IProbe, 'httpGet' | 'tcpSocket' | 'exec'> {
  switch (probe.probe.kind) {
    case 'http': {
      const url = new URL(probe.probe.url);
      const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
      return {
        httpGet: {
          path: `${url.pathname}${url.search}`,
          port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          scheme: url.protocol === 'https:' ? 'HTTPS' : 'HTTP',
          ...(local ? {} : { host: url.hostname }),
        },
      };
    }
    case 'tcp':
      return { tcpSocket: { port: probe.probe.port } };
    case 'exec':
      // (probes' commands are not expanded by the kubelet: they go as they are)
      return { exec: { command: Array.isArray(probe.probe.command) ? probe.probe.command : ['/bin/sh', '-c', probe.probe.command] } };
  }
}

const probeOf = (probe: ProbeSettings, failureThreshold: number): IProbe => ({
  ...probeAction(probe),
  periodSeconds: seconds(probe.intervalMs),
  timeoutSeconds: seconds(probe.timeoutMs),
  failureThreshold,
});

/**
 * The fleet as Kubernetes objects: per service a Deployment (a Job for `restart.policy` never or
 * on-failure, kompose's rule), a Service for its port, its environment in a ConfigMap and the
 * secret-looking variables in a Secret; probes from `health` (liveness, and a startup probe for
 * `startPeriod`) and `ready` (readiness; without it, readiness is the health probe, as in zmart);
 * `dependsOn` as init containers that wait for the dependency's Service to answer.
 */
export function kubernetesManifests(fleet: DeployedFleet, options: { image?: string }): FleetExport<KubernetesObject[]> {
  const losses = commonLosses(fleet, 'Kubernetes');
  const names = new Map<string, string>();
  for (const s of fleet.services) {
    const name = objectName(s.name);
    const clash = [...names].find(([, other]) => other === name);
    if (clash) throw new ZmartError('ZMART_USAGE', `services.${s.name}: its Kubernetes name '${name}' is also ${clash[0]}'s: rename one of them`);
    names.set(s.name, name);
    if (!s.image && !options.image) {
      throw new ZmartError('ZMART_USAGE', `services.${s.name}: no image to run it in Kubernetes: pass --image IMAGE or set services.${s.name}.image`);
    }
  }
  const byName = new Map(fleet.services.map((s) => [s.name, s]));
  const hosts = hostsByPort(fleet, (service) => names.get(service)!);
  const objects: KubernetesObject[] = [];
  for (const s of fleet.services) {
    const name = names.get(s.name)!;
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': slug(fleet.name), 'app.kubernetes.io/managed-by': 'zmart-export' };
    const metadata = { name, labels };
    const { plain, secret, rewritten } = containerEnv(s, hosts);
    losses.push(...rewritten);
    const envFrom: NonNullable<IContainer['envFrom']> = [];
    if (Object.keys(plain).length > 0) {
      objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-env`, labels }, data: plain });
      envFrom.push({ configMapRef: { name: `${name}-env` } });
    }
    if (Object.keys(secret).length > 0) {
      objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-env`, labels }, type: 'Opaque', stringData: secret });
      envFrom.push({ secretRef: { name: `${name}-env` } });
    }
    const pod = podSpec(fleet, s, { name, image: s.image ?? options.image!, envFrom, losses, dependencies: byName, names });
    const template = { metadata: { labels }, spec: pod };
    if (s.restart.policy === 'always') {
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: {
          replicas: s.replicas,
          // a new pod ready before an old one goes: what zmart's rolling restart does
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          selector: { matchLabels: { 'app.kubernetes.io/name': name } },
          template,
        },
      });
      losses.push(
        `services.${s.name}.restart: Kubernetes restarts forever with its own delay (10s doubling to 5 min), not ${s.restart.maxRestarts} times in ${s.restart.windowMs / 1000}s`,
      );
    } else {
      pod.restartPolicy = s.restart.policy === 'never' ? 'Never' : 'OnFailure';
      objects.push({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata,
        spec: { backoffLimit: s.restart.policy === 'never' ? 0 : s.restart.maxRestarts, template },
      });
    }
    if (s.port !== null) {
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'main', port: s.port, targetPort: s.port, protocol: 'TCP' }] },
      });
    }
  }
  if (fleet.services.some((s) => s.port !== null)) losses.push('inside its pod a service must listen on 0.0.0.0, not 127.0.0.1, for its Service to reach it');
  return { document: objects, files: [], notCarried: losses };
}

interface PodContext {
  name: string;
  image: string;
  envFrom: NonNullable<IContainer['envFrom']>;
  losses: string[];
  dependencies: Map<string, DeployedService>;
  names: Map<string, string>;
}

function podSpec(fleet: DeployedFleet, s: DeployedService, c: PodContext): IPodSpec {
  // the kubelet expands $(VAR) in command and args: every $ doubled keeps them literal
  const container: IContainer = { name: c.name, image: c.image, command: argvOf(s).map(dollarsKept) };
  if (!s.image) container.workingDir = containerDir(fleet, s);
  if (c.envFrom.length > 0) container.envFrom = c.envFrom;
  if (s.port !== null) container.ports = [{ name: 'main', containerPort: s.port, protocol: 'TCP' }];
  if (s.memoryMaxBytes !== null) container.resources = { limits: { memory: String(s.memoryMaxBytes) } };
  const { health, ready } = s;
  const numeric = (id: string | null) => (id !== null && /^\d+$/.test(id) ? Number(id) : undefined);
  if (s.user !== null) {
    const [runAsUser, runAsGroup] = [numeric(s.user), numeric(s.group)];
    if (runAsUser === undefined) c.losses.push(`services.${s.name}.user: Kubernetes runs as a uid (runAsUser), not the name ${s.user}`);
    else container.securityContext = { runAsUser, ...(runAsGroup === undefined ? {} : { runAsGroup }) };
  }
  if (health) {
    container.livenessProbe = probeOf(health, health.failureThreshold);
    if (health.startPeriodMs > 0) container.startupProbe = probeOf(health, Math.max(1, Math.ceil(health.startPeriodMs / health.intervalMs)));
    if (health.intervalMs < 1000) c.losses.push(`services.${s.name}.health.interval: Kubernetes probes at most once a second`);
  }
  if (ready) container.readinessProbe = probeOf(ready, 1);
  else if (health) container.readinessProbe = probeOf(health, health.failureThreshold);
  if (s.stop.signal !== 'SIGTERM') c.losses.push(`services.${s.name}.stop.signal: Kubernetes stops with SIGTERM, not ${s.stop.signal}`);

  const initContainers: IContainer[] = [];
  for (const [dep, condition] of Object.entries(s.dependsOn)) {
    const target = c.dependencies.get(dep);
    const depName = c.names.get(dep)!;
    if (!target || target.port === null) {
      c.losses.push(`services.${s.name}.dependsOn.${dep}: ${dep} has no port, so no Service to wait for: ${s.name} starts without waiting`);
      continue;
    }
    if (condition === 'started') c.losses.push(`services.${s.name}.dependsOn.${dep}: waits until ${dep} is ready (its Service answers), not only started`);
    initContainers.push({
      name: `wait-for-${depName}`.slice(0, 63).replace(/-+$/, ''),
      image: WAIT_IMAGE,
      command: ['sh', '-c', `until nc -z -w 2 ${depName} ${target.port}; do echo waiting for ${depName}; sleep 2; done`],
    });
  }
  return {
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers: [container],
    terminationGracePeriodSeconds: seconds(s.stop.timeoutMs),
  };
}
