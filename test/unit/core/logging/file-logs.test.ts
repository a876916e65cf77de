import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLogs, LOG_FILES } from '../../../../core/logging/file-logs.js';
import { createRedactor } from '../../../../core/logging/redact.js';
import { tempDir } from '../../../helpers/project.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('the log files', () => {
  it('write one entry as one line, even when its detail spans lines (a python3 -c command)', async () => {
    const logs = new FileLogs({ logDir: dir, debug: false, redact: createRedactor([]) });
    logs.monitor.warn('api: restart requested by memory-guard: memory: pid 7 (python3 -c "\nimport time\ntime.sleep(9)") 1.2 GB');
    logs.serviceOutput('api').note('started pid 7: python3 -c "\nimport time\n"');
    await logs.close();
    const monitor = readFileSync(join(dir, LOG_FILES.monitor), 'utf8').trimEnd().split('\n');
    expect(monitor).toHaveLength(1);
    expect(monitor[0]).toMatch(/\[WARN\] api: restart requested by memory-guard: memory: pid 7 \(python3 -c "\\nimport time\\ntime.sleep\(9\)"\) 1.2 GB$/);
    expect(readFileSync(join(dir, 'api.log'), 'utf8').trimEnd().split('\n')).toHaveLength(1);
  });

  it('reads what a pipe still holds before closing, and closes anyway when a pipe never ends', async () => {
    const logs = new FileLogs({ logDir: dir, debug: false, redact: createRedactor([]) });
    const late = new PassThrough();
    const forever = new PassThrough(); // a grandchild keeps this one open
    void logs.serviceOutput('late').attach({ stdout: late, stderr: null }, { timestamps: false });
    void logs.serviceOutput('held').attach({ stdout: forever, stderr: null }, { timestamps: false });
    forever.write('first\n');
    setTimeout(() => late.end('the last line\n'), 50); // still in the pipe when close begins
    const t0 = Date.now();
    await logs.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(readFileSync(join(dir, 'late.log'), 'utf8')).toBe('the last line\n');
    expect(readFileSync(join(dir, 'held.log'), 'utf8')).toBe('first\n');
  });

  it('tell their sweep the bytes of every chunk of service output they write', async () => {
    const passed: number[] = [];
    const logs = new FileLogs({ logDir: dir, debug: false, redact: createRedactor([]), sweep: { passed: (bytes) => passed.push(bytes) } });
    const out = new PassThrough();
    const err = new PassThrough();
    const attached = logs.serviceOutput('swept').attach({ stdout: out, stderr: err }, { timestamps: true });
    out.write('one\ntwo\n');
    err.end('three\n');
    out.end('four\n');
    await attached;
    await logs.close();
    const written = readFileSync(join(dir, 'swept.log'));
    expect(written.toString().trimEnd().split('\n')).toHaveLength(4);
    expect(passed.reduce((a, b) => a + b, 0)).toBe(written.length); // stamps included: what was made
  });

  it('pause the stream of a service while the file is behind, and write every line once, in order', async () => {
    const logs = new FileLogs({ logDir: dir, debug: false, redact: createRedactor([]) });
    const out = new PassThrough({ highWaterMark: 64 * 1024 });
    let pauses = 0;
    out.on('pause', () => (pauses += 1));
    const attached = logs.serviceOutput('flood').attach({ stdout: out, stderr: null }, { timestamps: true });
    const lines = 50_000;
    const text = Array.from({ length: lines }, (_, i) => `line ${i} ${'x'.repeat(40)}\n`).join('');
    // written in one go, far past the file's 256 KB: it must hold the stream back, not buffer it all
    for (let at = 0; at < text.length; at += 64 * 1024) out.write(text.slice(at, at + 64 * 1024));
    out.end();
    await attached;
    await logs.close();
    expect(pauses).toBeGreaterThan(0);
    const written = readFileSync(join(dir, 'flood.log'), 'utf8').trimEnd().split('\n');
    expect(written).toHaveLength(lines);
    expect(written.every((line, i) => line.endsWith(` out line ${i} ${'x'.repeat(40)}`))).toBe(true);
  });

  it('write what a stream gave before it broke, its last partial line too, say that it broke, and go on without it', async () => {
    const logs = new FileLogs({ logDir: dir, debug: false, redact: createRedactor([]) });
    const out = new PassThrough();
    const attached = logs.serviceOutput('broken').attach({ stdout: out, stderr: null }, { timestamps: false });
    out.write('whole\npart');
    await new Promise((r) => setImmediate(r));
    out.destroy(new Error('EPIPE'));
    await attached; // resolves: a broken pipe does not hold the logs' close for its 2 s
    logs.serviceOutput('broken').note('exited');
    await logs.close();
    expect(readFileSync(join(dir, 'broken.log'), 'utf8')).toMatch(
      /^whole\npart\n\S+ zmart stdout could not be read: EPIPE; what the service writes there now is lost\n\S+ zmart exited\n$/,
    );
  });
});
