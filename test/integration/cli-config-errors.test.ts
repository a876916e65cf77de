import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/project.js';

const { dir: root, cleanup } = tempDir();
afterAll(cleanup);

const ok = `command: 'node -e 0'`;
/** [name, config file text, env, what the message must contain] */
const CASES: Array<[string, string, Record<string, string>, RegExp[]]> = [
  ['syntax error', `export default defineConfig({ services: { api: { ${ok} } }`, {}, [/cannot load/]],
  ['unknown top-level key', `export default defineConfig({ servics: {}, services: { api: { ${ok} } } } as any)`, {}, [/servics: unknown key/]],
  ['unknown service key', `export default defineConfig({ services: { api: { ${ok}, comand: 'x' } } } as any)`, {}, [/services\.api\.comand: unknown key/]],
  ['wrong type', `export default defineConfig({ services: { api: { ${ok}, port: '8000' } } } as any)`, {}, [/services\.api\.port: .*expected number/]],
  ['port out of range', `export default defineConfig({ services: { api: { ${ok}, port: 70000 } } })`, {}, [/services\.api\.port: .*65535/]],
  [
    'bad duration',
    `export default defineConfig({ services: { api: { ${ok}, restart: { window: 'forever' } } } })`,
    {},
    [/services\.api\.restart\.window: expected a duration .*"forever"/],
  ],
  [
    'a dashboard token too short to guard the buttons',
    `import dashboard from 'zmart/plugins/dashboard';\nexport default defineConfig({ services: { api: { ${ok} } }, plugins: [dashboard({ token: 'secret' })] })`,
    {},
    [/plugins\[0\] \(dashboard\)\.token: a token of 16 characters at least/],
  ],
  [
    'a metrics address that is not host:port',
    `import metrics from 'zmart/plugins/metrics';\nexport default defineConfig({ services: { api: { ${ok} } }, plugins: [metrics({ listen: '9464' })] })`,
    {},
    [/plugins\[0\] \(metrics\)\.listen: expected 'host:port', like '127\.0\.0\.1:9464'/],
  ],
  [
    'unknown dependsOn target',
    `export default defineConfig({ services: { web: { ${ok}, dependsOn: ['db'] } } })`,
    {},
    [/services\.web\.dependsOn\.db: no service named 'db'/],
  ],
  [
    'dependency cycle',
    `export default defineConfig({ services: { a: { ${ok}, dependsOn: ['b'] }, b: { ${ok}, dependsOn: ['a'] } } })`,
    {},
    [/dependency cycle: a -> b -> a/],
  ],
  ['missing command', `export default defineConfig({ services: { api: { port: 8000 } } } as any)`, {}, [/services\.api\.command: required/]],
  [
    'misspelt keys, in one of several shapes too, all said at once with the graph',
    `export default defineConfig({ services: { api: { ${ok}, port: 8000, ready: { paht: '/r' }, health: { paht: '/h' }, restart: { polcy: 'always' }, dependsOn: ['nope'] }, web: {} } } as any)`,
    {},
    [
      /services\.api\.ready\.paht: unknown key: did you mean 'path'\?/,
      /services\.api\.health\.paht: unknown key: did you mean 'path'\?/,
      /services\.api\.restart\.polcy: unknown key: did you mean 'policy'\?/,
      /services\.web\.command: required/,
      /services\.api\.dependsOn\.nope: no service named 'nope'/,
    ],
  ],
  ['empty command', `export default defineConfig({ services: { api: { command: '  ' } } })`, {}, [/services\.api\.command: expected a non-empty command/]],
  [
    'bad stop signal',
    `export default defineConfig({ services: { api: { ${ok}, stop: { signal: 'SIGFOO' } } } } as any)`,
    {},
    [/services\.api\.stop\.signal: /],
  ],
  ['no services', `export default defineConfig({ services: {} })`, {}, [/services: expected at least one service/]],
  [
    'plugin not called',
    `const p = () => ({}); export default defineConfig({ services: { api: { ${ok} } }, plugins: [p] } as any)`,
    {},
    [/plugins\[0\]: expected a plugin \(call the factory/],
  ],
  ['missing cwd', `export default defineConfig({ services: { api: { ${ok}, cwd: 'nowhere' } } })`, {}, [/services\.api\.cwd: folder .*nowhere does not exist/]],
  [
    'two services on one port',
    `export default defineConfig({ services: { a: { ${ok}, port: 9 }, b: { ${ok}, port: 9 } } })`,
    {},
    [/services\.b\.port: port 9 is already used by service 'a'/],
  ],
  ['bad env override', `export default defineConfig({ services: { api: { ${ok} } } })`, { API_PORT: 'eighty' }, [/env API_PORT: expected a whole number/]],
  // read to its end, it grew the CLI to 12 GB and aborted
  [
    'an env file that is /dev/zero',
    `export default defineConfig({ services: { api: { ${ok}, envFile: '/dev/zero' } } })`,
    {},
    [/services\.api\.envFile: \/dev\/zero is not a regular file/],
  ],
  [
    "a service named like zmart's own log",
    `export default defineConfig({ services: { server_monitor: { ${ok} } } })`,
    {},
    [/services\.server_monitor: the name 'server_monitor' is reserved/],
  ],
  ['no default export', `export const config = {}`, {}, [/\(root\): expected an object/]],
  [
    'a service name too long for a file name',
    `export default defineConfig({ services: { ${'a'.repeat(300)}: { ${ok} } } })`,
    {},
    [/a service name is 1 to 64 letters/],
  ],
  [
    'an interval of 0',
    `export default defineConfig({ monitor: { interval: 0 }, services: { api: { ${ok} } } })`,
    {},
    [/monitor\.interval: expected an interval of at least 1ms/],
  ],
  // nothing keeps the event loop alive: without a limit the CLI exited 0 at once, starting nothing
  [
    'a config that never finishes loading',
    `await new Promise(() => {});\nexport default defineConfig({ services: { api: { ${ok} } } })`,
    { ZMART_CONFIG_TIMEOUT: '1' },
    [/config did not finish loading within 1 s/],
  ],
  // a pending timer keeps it alive: without a limit the CLI hung
  [
    'a config that waits on a timer forever',
    `await new Promise(() => setInterval(() => {}, 1000));\nexport default defineConfig({ services: { api: { ${ok} } } })`,
    { ZMART_CONFIG_TIMEOUT: '1' },
    [/config did not finish loading within 1 s/],
  ],
];

describe('a bad config exits 2, names the file and the key, and starts nothing', () => {
  it.concurrent.each(CASES)('%s', async (name, body, env, patterns) => {
    const dir = join(root, name.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'zmart.config.ts');
    writeFileSync(file, `import { defineConfig } from 'zmart';\n${body}\n`);

    const result = await runCli(['start', '--foreground'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(file);
    for (const pattern of patterns) expect(result.stderr).toMatch(pattern);
    expect(existsSync(join(dir, 'server_pids'))).toBe(false);
    expect(existsSync(join(dir, 'logs'))).toBe(false);
  });

  it('says where it looked when there is no config at all', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    const result = await runCli(['start', '--foreground', '--config', 'missing.ts'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/config file .*missing\.ts \(from --config\) does not exist/);
  });
});

describe('folders zmart cannot use are refused before anything is created', () => {
  /** [name, pidDir, logDir, prepare(dir), what the message must say] */
  const FOLDERS: Array<[string, string, string, (dir: string) => void, RegExp]> = [
    ['pidDir is a file', 'run', 'logs', (dir) => writeFileSync(join(dir, 'run'), ''), /pidDir: .*\/run is a file, not a folder/],
    ['logDir is a file', 'run', 'logs', (dir) => writeFileSync(join(dir, 'logs'), ''), /logDir: .*\/logs is a file, not a folder/],
    ['logDir under a file', 'run', 'notes.txt/logs', (dir) => writeFileSync(join(dir, 'notes.txt'), ''), /logDir: .*notes\.txt is a file, not a folder/],
    ['logDir on /proc', 'run', '/proc/x', () => undefined, /logDir: \/proc is on proc, a system file system/],
  ];
  it.each(FOLDERS)('%s', async (_name, pidDir, logDir, prepare, pattern) => {
    const dir = join(root, `folders-${pidDir}-${logDir.replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir, { recursive: true });
    prepare(dir);
    writeFileSync(join(dir, 'zmart.config.ts'), `export default { pidDir: '${pidDir}', logDir: '${logDir}', services: { api: { ${ok} } } };\n`);
    const before = readdirSync(dir).sort();
    for (const args of [['start', '--foreground'], ['start']]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(2); // the file, then the one problem
      expect(readdirSync(dir).sort()).toEqual(before); // nothing created
    }
  });

  it.runIf(process.getuid?.() === 0)('a read-only pidDir leaves nothing behind (no logs/zmart.out)', async () => {
    const dir = join(root, 'read-only');
    mkdirSync(join(dir, 'run'), { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', join(dir, 'run')]);
    try {
      writeFileSync(join(dir, 'zmart.config.ts'), `export default { pidDir: 'run', services: { api: { ${ok} } } };\n`);
      const result = await runCli(['start'], { cwd: dir });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/pidDir: .*\/run is not writable \(read-only file system\)/);
      expect(existsSync(join(dir, 'logs'))).toBe(false);
    } finally {
      execFileSync('umount', [join(dir, 'run')]);
    }
  });
});
