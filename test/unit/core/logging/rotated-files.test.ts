import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { afterRotation, rotatedFiles } from '../../../../core/logging/rotation.js';
import { tempDir } from '../../../helpers/project.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe("a log's rotated files", () => {
  it("are its own only: pruning api.log never touches api.log.log's (a service named api.log)", async () => {
    const stamp = '2026-12-05T09-00-00-000Z';
    const mine = [`api.log.${stamp}.000.gz`, `api.log.${stamp}.001`];
    const other = [`api.log.log.${stamp}.000.gz`, `api.log.log.${stamp}.001`];
    for (const f of [...mine, ...other, 'api.log', 'api.log.log', `api.log.bak`]) writeFileSync(join(dir, f), 'x\n');
    expect(rotatedFiles(join(dir, 'api.log'))).toEqual(mine.map((f) => join(dir, f)));
    expect(rotatedFiles(join(dir, 'api.log.log'))).toEqual(other.map((f) => join(dir, f)));
    await afterRotation(join(dir, 'api.log'), join(dir, mine[1]!), { maxSize: null, periodMs: null, keep: 0, compress: false });
    for (const f of mine) expect(existsSync(join(dir, f))).toBe(false);
    for (const f of other) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it('were pruned by a later rotation before their compression began: no error, no half-made .gz', async () => {
    const gone = join(dir, 'flood.log.2026-12-05T09-00-00-000Z.000');
    const kept = join(dir, 'flood.log.2026-12-05T09-00-00-050Z.000.gz');
    writeFileSync(kept, 'x\n');
    await expect(afterRotation(join(dir, 'flood.log'), gone, { maxSize: 1024, periodMs: null, keep: 7, compress: true })).resolves.toBeUndefined();
    expect(rotatedFiles(join(dir, 'flood.log'))).toEqual([kept]);
  });
});
