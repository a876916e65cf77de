import { describe, expect, it } from 'vitest';
import { shellCommand } from '../../../../core/process/shell-command.js';

describe('a command given as a string', () => {
  it.each([
    ['python -m uvicorn src.main:app --port 8000', 'exec python -m uvicorn src.main:app --port 8000'],
    ['  node server.js  ', 'exec node server.js'],
    ['LOG_LEVEL=info PORT=$PORT python app.py', 'LOG_LEVEL=info PORT=$PORT exec python app.py'],
    ['"/opt/my app/run" --flag "a b"', 'exec "/opt/my app/run" --flag "a b"'],
  ])('is one program: the shell execs it (%s)', (command, expected) => {
    expect(shellCommand(command)).toBe(expected);
  });

  it.each([
    'python app.py | tee out.log',
    'cd backend && python app.py',
    'python app.py > out.log 2>&1',
    'python -c "print(1)"',
    '(cd x; ./run)',
    'exec python app.py',
    'FOO="a b" python app.py',
    'echo $(date)',
  ])('is more than one program, or already shell syntax: left as written (%s)', (command) => {
    expect(shellCommand(command)).toBe(command);
  });
});
