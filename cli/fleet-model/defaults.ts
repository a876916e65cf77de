import { resolveConfig } from '../../core/config/resolve.js';
import type { ProbeDescription } from '../../core/probe.js';
import { builtinPlugins } from '../builtins.js';
import { deployedService } from './from-config.js';
import type { DeployedService } from './model.js';

let defaults: { service: DeployedService; probe: ProbeDescription } | undefined;

/**
 * A service as zmart runs it when a config says nothing but its command, and a health probe with
 * health-http's defaults: taken from zmart's own config resolution (no second copy of the defaults
 * to drift), with none of this shell's overrides (MAX_RESTART_ATTEMPTS, MONITOR_INTERVAL, ...).
 */
export function zmartDefaults(): { service: DeployedService; probe: ProbeDescription } {
  if (!defaults) {
    const config = resolveConfig(
      { services: { plain: { command: 'x' }, probed: { command: 'x', port: 1, health: { exec: 'x' } } } },
      { file: null, root: '/', env: {}, builtins: builtinPlugins },
    );
    const [plain, probed] = config.services.map((s) => deployedService(config, s));
    defaults = { service: plain!, probe: probed!.health! };
  }
  return { service: structuredClone(defaults.service), probe: structuredClone(defaults.probe) };
}

/** A new service with zmart's defaults but for what it runs and where. */
export function newService(name: string, command: string | string[], cwd: string): DeployedService {
  return { ...zmartDefaults().service, name, title: name, command, cwd };
}

/** A probe with health-http's defaults but for what it probes. */
export function newProbe(probe: ProbeDescription['probe']): ProbeDescription {
  const url = probe.kind === 'http' ? probe.url : probe.kind === 'tcp' ? `tcp 127.0.0.1:${probe.port}` : `exec ${[probe.command].flat().join(' ')}`;
  return { ...zmartDefaults().probe, probe, url };
}
