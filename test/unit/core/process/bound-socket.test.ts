import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bindSocket } from '../../../../core/process/bound-socket.js';
import { freePort } from '../../../helpers/project.js';

describe('the bound socket (the one Node internal the socket hand-over uses)', () => {
  it('is still there: binds without accepting, gives a descriptor, and says EADDRINUSE for a taken port', async () => {
    const port = await freePort();
    const socket = bindSocket('127.0.0.1', port);
    expect(socket.fd).toBeGreaterThan(2);
    socket.close();
    const stranger = createServer();
    await new Promise<void>((resolve) => stranger.listen(port, '127.0.0.1', resolve));
    try {
      expect(() => bindSocket('127.0.0.1', port)).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
    } finally {
      stranger.close();
    }
  });
});
