import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { ZmartError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import { builtinPlugins } from '../builtins.js';
import type { Output } from '../output.js';
import type { ResolvedConfig } from '../../core/config/types.js';
import { agentLabel, launchAgent } from '../startup/launch-agent.js';
import { systemdUnit, unitName } from '../startup/systemd-unit.js';

export interface StartupOptions {
  config?: string;
  user: boolean;
  print: boolean;
  /** The macOS LaunchAgent instead of a systemd unit (the default on macOS). */
  launchd: boolean;
}

/** Where systemd keeps units an administrator (or a user) installs. */
const unitDir = (user: boolean) => (user ? join(homedir(), '.config/systemd/user') : '/etc/systemd/system');

/** No running systemd (a container, a machine booted with another init): installing would do nothing. */
function requireSystemd(): void {
  if (!existsSync('/run/systemd/system')) {
    throw new ZmartError(
      'ZMART_USAGE',
      "systemd is not running on this machine (no /run/systemd/system): 'zmart startup --print' prints the unit to install elsewhere",
    );
  }
}

/**
 * `zmart startup [--user] [--print]`: the systemd unit that starts the fleet at boot. With
 * --print it is printed and nothing is installed (any machine); else it is written and enabled.
 */
export async function startup(options: StartupOptions, out: Output): Promise<number> {
  const config = await loadConfig({ configPath: options.config, builtins: builtinPlugins });
  const paths = { node: process.execPath, zmart: join(packageRoot(import.meta.url).root, 'dist/bin/zmart.cjs') };
  if (options.launchd || process.platform === 'darwin') return startupLaunchd(config, paths, options, out);
  const unit = systemdUnit(config, { ...paths, user: options.user, account: userInfo().username, path: process.env.PATH });
  if (options.print) {
    out.raw(unit);
    return 0;
  }
  requireSystemd();
  const name = unitName(config.file!);
  const dir = unitDir(options.user);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), unit, { mode: 0o644 });
  const { execa } = await import('execa');
  const systemctl = (...args: string[]) => execa('systemctl', options.user ? ['--user', ...args] : args, { reject: false });
  await systemctl('daemon-reload');
  const enabled = await systemctl('enable', name);
  if (enabled.exitCode !== 0) throw new ZmartError('ZMART_START_FAILED', `systemctl enable ${name} failed: ${enabled.stderr.split('\n')[0]}`);
  out.line(`installed and enabled ${join(dir, name)}: the fleet starts at boot ('systemctl ${options.user ? '--user ' : ''}start ${name}' starts it now)`);
  if (options.user) out.line(`for it to start at boot without a login: loginctl enable-linger ${userInfo().username}`);
  return 0;
}

/** `zmart unstartup [--user]`: disables and removes the unit `zmart startup` installed. */
export async function unstartup(options: { config?: string; user: boolean }, out: Output): Promise<number> {
  const config = await loadConfig({ configPath: options.config, builtins: builtinPlugins });
  if (process.platform === 'darwin') {
    const plist = join(homedir(), 'Library/LaunchAgents', `${agentLabel(config.file!)}.plist`);
    if (!existsSync(plist)) {
      out.line(`no LaunchAgent ${plist}: nothing to remove`);
      return 0;
    }
    const { execa } = await import('execa');
    await execa('launchctl', ['unload', '-w', plist], { reject: false });
    rmSync(plist);
    out.line(`unloaded and removed ${plist}`);
    return 0;
  }
  requireSystemd();
  const name = unitName(config.file!);
  const file = join(unitDir(options.user), name);
  if (!existsSync(file)) {
    out.line(`no unit ${file}: nothing to remove`);
    return 0;
  }
  const { execa } = await import('execa');
  await execa('systemctl', options.user ? ['--user', 'disable', name] : ['disable', name], { reject: false });
  rmSync(file);
  out.line(`disabled and removed ${file}`);
  return 0;
}

/** macOS: the LaunchAgent, printed or written to ~/Library/LaunchAgents and loaded with launchctl. */
async function startupLaunchd(config: ResolvedConfig, paths: { node: string; zmart: string }, options: StartupOptions, out: Output): Promise<number> {
  const plist = launchAgent(config, { ...paths, path: process.env.PATH });
  if (options.print) {
    out.raw(plist.endsWith('\n') ? plist : `${plist}\n`);
    return 0;
  }
  if (process.platform !== 'darwin')
    throw new ZmartError('ZMART_USAGE', "launchd is macOS's: 'zmart startup --print --launchd' prints the LaunchAgent to install there");
  const file = join(homedir(), 'Library/LaunchAgents', `${agentLabel(config.file!)}.plist`);
  mkdirSync(join(homedir(), 'Library/LaunchAgents'), { recursive: true });
  writeFileSync(file, plist, { mode: 0o644 });
  const { execa } = await import('execa');
  const loaded = await execa('launchctl', ['load', '-w', file], { reject: false });
  if (loaded.exitCode !== 0) throw new ZmartError('ZMART_START_FAILED', `launchctl load ${file} failed: ${loaded.stderr.split('\n')[0]}`);
  out.line(`installed and loaded ${file}: the fleet starts at login`);
  return 0;
}
