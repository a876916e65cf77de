import { execFile } from 'node:child_process';

/**
 * Tells systemd how the supervisor is doing (sd_notify), when it runs as a unit's main
 * process (`Type=notify`: $NOTIFY_SOCKET is set): READY=1 once every service is up,
 * STOPPING=1 at shutdown. Through `systemd-notify` (the unit sets NotifyAccess=all), since
 * Node has no unix datagram sockets. Nothing happens without $NOTIFY_SOCKET.
 */
export function notifySystemd(fields: string[], warn: (message: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!env.NOTIFY_SOCKET) return Promise.resolve();
  return new Promise((resolve) => {
    execFile('systemd-notify', fields, { env, timeout: 5000 }, (error) => {
      if (error) warn(`could not tell systemd ${fields.join(' ')}: ${error.message.split('\n')[0]}`);
      resolve();
    });
  });
}
