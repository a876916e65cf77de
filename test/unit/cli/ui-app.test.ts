import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { App, HELP } from '../../../cli/ui/app.js';
import { fakeFleet, service } from '../../helpers/ui-fleet.js';

const tick = () => new Promise((r) => setTimeout(r, 50));

/** The escape that starts a terminal color code. */
const ESC = String.fromCharCode(27);

describe('zmart ui (ink)', () => {
  it('shows the services, follows the selected one, and sends the keys as commands', async () => {
    const { source, acted } = fakeFleet();
    const ui = render(h(App, { source, color: false, refreshMs: 50 }));
    // the log comes with a later refresh than the table: wait for it (a loaded machine is slower than one tick)
    await vi.waitFor(() => expect(ui.lastFrame()).toContain('api line three'));
    let frame = ui.lastFrame()!;
    expect(frame).toMatch(/1\/2 running/);
    expect(frame).toMatch(/› api\s+running\s+healthy\s+1\.5%\s+50\.0 MB\s+0/);
    expect(frame).toMatch(/ {2}worker\s+failed\s+-\s+1\.5%\s+50\.0 MB\s+3 \(exit\)/);
    expect(frame).toContain('api line three');
    expect(frame).toContain('api clears\\x1b[2J'); // a service's escape sequence shown, not obeyed
    expect(frame).toContain(HELP);

    ui.stdin.write('\u001B[B'); // down
    await vi.waitFor(() => expect(ui.lastFrame()).toContain('worker line three'));
    frame = ui.lastFrame()!;
    expect(frame).toMatch(/› worker/);
    expect(frame).toContain('── log of worker ──');
    expect(frame).toContain('worker line three');

    ui.stdin.write('r');
    await tick();
    expect(acted).toEqual(['restart worker']);
    expect(ui.lastFrame()).toContain('restart worker: done');
    ui.stdin.write('k');
    await tick();
    ui.stdin.write('s');
    await tick();
    ui.stdin.write('u');
    await tick();
    ui.stdin.write('h');
    await tick();
    expect(acted).toEqual(['restart worker', 'stop api', 'start api', 'hup api']);

    // the log filter: / then text then Enter; Escape clears it
    for (const key of ['/', 'e', 'r', 'r', '\r']) {
      ui.stdin.write(key);
      await tick();
    }
    frame = ui.lastFrame()!;
    expect(frame).toContain('filter: err');
    expect(frame).toContain('api error two');
    expect(frame).not.toContain('api line one');
    expect(acted).toHaveLength(4); // keys typed into the filter are not commands
    ui.stdin.write('\u001B');
    // the cleared filter shows the whole log again at a later refresh (one tick was too few on a loaded machine)
    await vi.waitFor(() => expect(ui.lastFrame()).toContain('api line one'));
    ui.unmount();
  });

  it('takes keys that arrive together one after another: each acts on the service the ones before chose', async () => {
    const { source, acted } = fakeFleet([service('web', { probeFailures: 2, probeFailureThreshold: 3 }), service('boot', { health: null, ready: false })]);
    const ui = render(h(App, { source, color: false, refreshMs: 50 }));
    await vi.waitFor(() => expect(ui.lastFrame()).toMatch(/web\s+running\s+failing 2\/3/)); // failing probes show before the threshold
    expect(ui.lastFrame()).toMatch(/boot\s+running\s+not ready/); // as status: running, its readiness not met yet
    ui.stdin.write('jjs'); // one chunk: down, down, stop
    await vi.waitFor(() => expect(acted).toEqual(['stop web']));
    await vi.waitFor(() => expect(ui.lastFrame()).toMatch(/› web/));
    ui.stdin.write('kr'); // up, restart: worker
    await vi.waitFor(() => expect(acted).toEqual(['stop web', 'restart worker']));
    ui.stdin.write('/err'); // the slash opens the filter, the rest is its text
    await vi.waitFor(() => expect(ui.lastFrame()).toContain('filter: err'));
    expect(acted).toHaveLength(2);
    ui.unmount();
  });

  it('reads the table again once a command is answered: "done" shows beside the state after it', async () => {
    const { source, report } = fakeFleet();
    const act = source.act;
    source.act = async (action, name) => {
      report.services[1] = service('worker', { state: 'running', pid: 2 });
      return act(action, name);
    };
    // no refresh of its own within the test: only the command's answer reads the table again
    const ui = render(h(App, { source, color: false, refreshMs: 60_000 }));
    await vi.waitFor(() => expect(ui.lastFrame()).toMatch(/worker\s+failed/));
    ui.stdin.write('jr');
    await vi.waitFor(() => expect(ui.lastFrame()).toContain('restart worker: done'));
    expect(ui.lastFrame()).toMatch(/› worker\s+running/);
    ui.unmount();
  });

  it('has no color under NO_COLOR (color false)', async () => {
    const { source } = fakeFleet();
    const plain = render(h(App, { source, color: false }));
    await tick();
    expect(plain.lastFrame()).not.toMatch(new RegExp(`${ESC}\\[3\\dm`));
    plain.unmount();
  });

  it('quits on q', async () => {
    const { source } = fakeFleet();
    const ui = render(h(App, { source, color: false }));
    await tick();
    ui.stdin.write('q');
    await tick();
    // after exit, ink stops drawing: keys change nothing
    const frame = ui.lastFrame();
    ui.stdin.write('j');
    await tick();
    expect(ui.lastFrame()).toBe(frame);
  });
});
