import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where a Python project keeps its virtualenv, in the order looked at. */
const VENV_FOLDERS = ['venv', '.venv'];

/** How an imported Python script runs here: with its folder's virtualenv, or the first of `python`, `python3` on PATH. */
export interface PythonRun {
  interpreter: string;
  /** The virtualenv folder (relative to the service's cwd) whose bin/ goes first on PATH. */
  venv?: string;
  /** What the import says of its choice, when it is not plain `python`. */
  note?: string;
}

/**
 * PM2 runs a `.py` script with `python` from the PATH it saved at `pm2 start` (often a shell with
 * a virtualenv activated). The import runs in another shell: a virtualenv in the script's folder
 * is taken as the one PM2's shell had (zmart's `venv` puts its bin/ first), and where there is
 * none and `python` is not on PATH (macOS since 12.3 has `python3` alone), `python3` runs it.
 * Each choice is said.
 */
export function pythonRun(cwd: string, where: string, path = process.env.PATH ?? ''): PythonRun {
  const venv = VENV_FOLDERS.find((folder) => existsSync(join(cwd, folder, 'pyvenv.cfg')) && executable(join(cwd, folder, 'bin', 'python')));
  if (venv)
    return { interpreter: 'python', venv, note: `${where}: runs with the virtualenv in ${venv}/ (venv: "${venv}"), as from a shell where it was activated` };
  if (onPath('python', path) || !onPath('python3', path)) return { interpreter: 'python' };
  return { interpreter: 'python3', note: `${where}: python3 runs it (PM2 would ask for python, which is not on this PATH)` };
}

function onPath(program: string, path: string): boolean {
  return path.split(delimiter).some((dir) => dir !== '' && executable(join(dir, program)));
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
