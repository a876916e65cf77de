import { describe, expect, it } from 'vitest';

// Colors as a color terminal gets them: chalk decides when it is first loaded.
process.env.FORCE_COLOR = '1';

/** The escape that starts a terminal color code. */
const ESC = String.fromCharCode(27);

describe('zmart ui colors', () => {
  it('colors states and health on a color terminal', async () => {
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
