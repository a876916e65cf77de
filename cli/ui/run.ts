import { render } from 'ink';
import { createElement } from 'react';
import { App, type UiSource } from './app.js';

/** Draws the UI until the operator quits; resolves then, the terminal restored. */
export async function runUi(source: UiSource, color: boolean): Promise<void> {
  const app = render(createElement(App, { source, color }), { exitOnCtrlC: true });
  await app.waitUntilExit();
}
