import type { StartReport } from './start-wait.js';

/**
 * The operator's restarts, coalesced by service: a restart asked for while one of the same
 * service runs joins it (twenty operators, one restart, one outcome for all), where a second
 * one would stop what the first had just started and tell the first "did not come back".
 * Services not yet restarting get a restart of their own.
 */
export class JoinedRestarts {
  private readonly running = new Map<string, Promise<StartReport>>();

  constructor(private readonly restart: (names: string[]) => Promise<StartReport>) {}

  async request(names: string[], restart = this.restart): Promise<StartReport> {
    const fresh = names.filter((n) => !this.running.has(n));
    const waits = new Set(names.filter((n) => this.running.has(n)).map((n) => this.running.get(n)!));
    if (fresh.length > 0) {
      const own = restart(fresh);
      for (const name of fresh) this.running.set(name, own);
      const done = () => {
        for (const name of fresh) if (this.running.get(name) === own) this.running.delete(name);
      };
      own.then(done, done);
      waits.add(own);
    }
    const reports = await Promise.all(waits);
    const up = new Set(reports.flatMap((r) => r.up).filter((n) => names.includes(n)));
    const down = new Map(
      reports
        .flatMap((r) => r.down)
        .filter((d) => names.includes(d.name) && !up.has(d.name))
        .map((d) => [d.name, d] as const),
    );
    return { up: names.filter((n) => up.has(n)), down: [...down.values()] };
  }
}
