/** The seed's response-time classes. */
export type ResponseClass = 'excellent' | 'good' | 'warning' | 'critical';

export function classify(ms: number): ResponseClass {
  if (ms < 100) return 'excellent';
  if (ms <= 500) return 'good';
  if (ms <= 2000) return 'warning';
  return 'critical';
}

/** The p-th percentile (0-100) of some samples, nearest-rank; null for none. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
