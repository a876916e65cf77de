import type * as Prom from 'prom-client';

/**
 * A gauge's series as last set: a refresh sets only those whose value changed and removes
 * those no longer there, and says whether anything did (so the family's text, kept from the
 * last scrape, is written again only then). At 100 services the up, state, health and
 * readiness gauges hold 900 series that rarely change, and each set costs prom-client a hash
 * of the labels and objects (and the daemon, with its 1 MB young generation, the garbage).
 */
export class Series {
  private readonly last = new Map<string, { labels: Prom.LabelValues<string>; value: number; round: number }>();
  private round = 0;
  private changed = false;

  constructor(private readonly gauge: Prom.Gauge) {}

  put(key: string, labels: () => Prom.LabelValues<string>, value: number): void {
    const known = this.last.get(key);
    if (known?.value === value) {
      known.round = this.round + 1;
      return;
    }
    const set = known?.labels ?? labels();
    this.gauge.set(set, value);
    this.last.set(key, { labels: set, value, round: this.round + 1 });
    this.changed = true;
  }

  /**
   * Removes the series this refresh did not put (a service gone, a health no longer known);
   * true when this refresh changed anything.
   */
  end(): boolean {
    this.round += 1;
    for (const [key, series] of this.last) {
      if (series.round === this.round) continue;
      this.gauge.remove(series.labels);
      this.last.delete(key);
      this.changed = true;
    }
    const changed = this.changed;
    this.changed = false;
    return changed;
  }
}
