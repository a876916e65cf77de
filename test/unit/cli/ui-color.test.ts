import { describe, expect, it, onTestFinished } from 'vitest';

/** The escape that starts a terminal color code. */
const ESC = String.fromCharCode(27);

describe('zmart ui colors', () => {
  it('colors states and health on a color terminal', async () => {
    // Colors as a color terminal gets them: ink paints through chalk's shared instance, whose
    // level is set here and put back (another test file of this worker may have loaded it first).
    const { default: chalk } = await import('chalk');
    const level = chalk.level;
    chalk.level = 1;
    onTestFinished(() => {
      chalk.level = level;
    });
    const { render } = await import('ink-testing-library');
    const { createElement: h } = await import('react');
    const { App } = await import('../../../cli/ui/app.js');
    const { fakeFleet } = await import('../../helpers/ui-fleet.js');
    const { source } = fakeFleet();
    const ui = render(h(App, { source, color: true }));
    await new Promise((r) => setTimeout(r, 50));
    expect(ui.lastFrame()).toMatch(new RegExp(`${ESC}\\[32mrunning`));
    expect(ui.lastFrame()).toMatch(new RegExp(`${ESC}\\[31mfailed`));
    ui.unmount();
  });
});
