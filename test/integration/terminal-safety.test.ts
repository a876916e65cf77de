import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);

describe("a service's escape sequences reach the operator's terminal only when asked", () => {
  it('logs and status --all show them as \\x1b; --raw passes them; the log file keeps the bytes as written', async () => {
    // a service that clears the screen and sets the terminal's title
    const printed = `hello${ESC}[2J${ESC}]0;pwned${BEL}world`;
    project = createProject(`{ services: { noisy: { command: ${fixtureCommand('--print', printed)}, readyAfter: 100 } } }`);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const file = join(p.logDir, 'noisy.log');
    const shown = 'hello\\x1b[2J\\x1b]0;pwned\\x07world';
    await expect.poll(() => readFileSync(file, 'utf8'), { timeout: 5000 }).toContain(printed); // the file: as written

    const logs = await p.zmart(['logs', 'noisy']);
    expect(logs.stdout).toContain(shown);
    expect(logs.stdout).not.toContain(ESC);
    const raw = await p.zmart(['logs', 'noisy', '--raw']);
    expect(raw.stdout).toContain(printed);
    const all = await p.zmart(['status', '--all']);
    expect(all.stdout).toContain(shown);
    expect(all.stdout).not.toContain(ESC);
  });
});
