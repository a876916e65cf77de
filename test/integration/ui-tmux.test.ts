import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { CLI, waitFor } from '../helpers/project.js';

let project: Project | undefined;
let socket: string | undefined;
afterEach(async () => {
  // our own tmux server (its own socket), never the user's
  if (socket) execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  socket = undefined;
  await project?.cleanup();
  project = undefined;
});

describe('zmart ui in a real terminal (tmux)', () => {
  it('shows the fleet, restarts with a key, and leaves the terminal as it found it', async () => {
    project = createProject(`{ services: { api: { command: ${fixtureCommand()} }, web: { command: ${fixtureCommand()} } } }`);
    expect((await project.zmart(['start'])).code).toBe(0);
    socket = `zmart-test-${randomUUID()}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket!, ...args], { encoding: 'utf8' });
    const script = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} ui; echo "UI-EXITED $?"; stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo; sleep 60`;
    tmux(
      'new-session',
      '-d',
      '-s',
      'ui',
      '-x',
      '120',
      '-y',
      '30',
      '-c',
      project.dir,
      '-e',
      `ZMART_HOME=${project.env.ZMART_HOME}`,
      '-e',
      'NO_COLOR=1',
      'sh',
      '-c',
      script,
    );
    const screen = () => tmux('capture-pane', '-p', '-t', 'ui');
    await waitFor(() => /› api\s+running/.test(screen()) && /web\s+running/.test(screen()), 'the fleet on screen');
    await waitFor(() => screen().includes('── log of api ──') && screen().includes('zmart started pid'), 'the log of api');

    const webPid = project.pid('web');
    tmux('send-keys', '-t', 'ui', 'j');
    await waitFor(() => /› web/.test(screen()), 'web selected');
    tmux('send-keys', '-t', 'ui', 'r');
    await waitFor(() => screen().includes('restart web: done'), 'the restart done', 10_000);
    expect(project.pid('web')).not.toBe(webPid);
    expect(screen()).toMatch(/› web\s+running/);

    tmux('send-keys', '-t', 'ui', 'q');
    await waitFor(() => screen().includes('UI-EXITED 0'), 'the ui to exit');
    // the terminal is back in cooked mode with echo, as the shell left it
    await waitFor(() => /^icanon echo\s*$/m.test(screen()), 'the terminal modes');
  });

  it('says in one line that it needs a terminal, exit 2, when it has none', async () => {
    const result = await runCli(['ui'], { cwd: tmpdir() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('zmart: zmart ui needs a terminal (stdin and stdout a TTY); try zmart status or zmart logs -f');
  });
});
