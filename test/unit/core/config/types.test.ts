import { describe, expectTypeOf, it } from 'vitest';
import { defineConfig, type ServiceConfigInput } from '../../../../core/index.js';

// What a plugin's module does to type its per-service key (see README, "Writing a plugin").
declare module '../../../../core/index.js' {
  interface ServiceOptionsRegistry {
    heartbeat: { file: string; every?: number };
  }
}

describe('config types (checked by tsc --noEmit, which npm test runs)', () => {
  it('accepts a per-service key that a plugin declared, with its own type', () => {
    const config = defineConfig({
      services: {
        api: { command: 'x', heartbeat: { file: '/tmp/beat', every: 2 } },
        // @ts-expect-error: `file` must be a string
        web: { command: 'y', heartbeat: { file: 3 } },
      },
    });
    expectTypeOf(config.services.api.heartbeat).toEqualTypeOf<{ file: string; every?: number } | undefined>();
  });

  it('refuses keys nobody declared, and checks the core keys', () => {
    defineConfig({
      services: {
        // @ts-expect-error: no plugin declares `memoryy`
        api: { command: 'x', memoryy: {} },
        // @ts-expect-error: policy is always | on-failure | never
        web: { command: 'y', restart: { policy: 'sometimes' } },
        db: { command: ['postgres', '-D', 'data'], stop: { signal: 'SIGINT', timeout: '30s' }, dependsOn: { api: 'healthy' } },
      },
    });
    expectTypeOf<ServiceConfigInput['command']>().toEqualTypeOf<string | string[]>();
  });
});
