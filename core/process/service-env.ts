import { delimiter, join } from 'node:path';
import type { ResolvedService } from '../config/types.js';

/**
 * The environment a service runs with: zmart's own, then its env files, then its `env`, then PORT
 * (when the service has a port and its env does not set one), then the virtualenv's
 * VIRTUAL_ENV and PATH (its bin/ first), as `source venv/bin/activate` would. A service run as
 * another `user` gets that user's HOME, USER and LOGNAME (its `env` may still set them).
 */
export function serviceEnv(service: ResolvedService, base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  const who = service.runAs;
  if (who?.user) Object.assign(env, { USER: who.user, LOGNAME: who.user }, who.home ? { HOME: who.home } : {});
  Object.assign(env, service.fileEnv, service.env);
  if (service.port !== null && service.env.PORT === undefined) env.PORT = String(service.port);
  if (service.venv) {
    env.VIRTUAL_ENV = service.venv;
    env.PATH = [join(service.venv, 'bin'), env.PATH].filter(Boolean).join(delimiter);
    delete env.PYTHONHOME;
  }
  return env;
}
