import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The fleet's history on disk, per service, in `<pidDir>/history/`: `<service>.minutes.jsonl`,
 * one line per minute for the last 24 hours, and `<service>.days.jsonl`, one line per day for
 * 90 days. JSON Lines, appended (a crash loses at most the minute under way; a cut last line
 * is skipped), rewritten only to drop what is past its window: a few hundred KB per service.
 * Response times are kept as histogram counts, so minutes add up to days and percentiles come
 * from the sum, not from averages of percentiles.
 */

/** Upper bounds of the response-time buckets, in ms (the last bucket is everything slower). */
export const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];
const MINUTES_KEPT = 24 * 60;
const DAYS_KEPT = 90;
/** A file is rewritten once this many lines past its window (not at every append). */
const SLACK = 60;

/** What one period (a minute, a day) of a service adds up to. */
export interface Period {
  /** Samples taken, and those in which the service was up (running, not unhealthy). */
  samples: number;
  up: number;
  /** Largest resident memory of its tree seen, bytes (null: never sampled running). */
  rssPeak: number | null;
  /** Probe durations per bucket (BUCKETS_MS, then one for slower), and failed probes. */
  histogram: number[];
  failures: number;
  /** Restarts by reason. */
  restarts: Record<string, number>;
}

export interface Minute extends Period {
  /** Epoch ms of the minute's start. */
  t: number;
}

export interface Day extends Period {
  /** Local date, YYYY-MM-DD. */
  date: string;
  /** Minutes with a record (the supervisor ran), of the day's 1440. */
  minutes: number;
}

export const emptyPeriod = (): Period => ({ samples: 0, up: 0, rssPeak: null, histogram: BUCKETS_MS.map(() => 0).concat(0), failures: 0, restarts: {} });

/** Nothing was recorded in it. */
export const isEmpty = (p: Period): boolean => p.samples === 0 && p.failures === 0 && Object.keys(p.restarts).length === 0 && p.histogram.every((c) => c === 0);

export function addTo(into: Period, from: Period): void {
  into.samples += from.samples;
  into.up += from.up;
  into.rssPeak = from.rssPeak === null ? into.rssPeak : Math.max(into.rssPeak ?? 0, from.rssPeak);
  from.histogram.forEach((count, i) => {
    into.histogram[i] = (into.histogram[i] ?? 0) + count;
  });
  into.failures += from.failures;
  for (const [reason, count] of Object.entries(from.restarts)) into.restarts[reason] = (into.restarts[reason] ?? 0) + count;
}

/** The bucket a probe of `ms` falls in. */
export const bucketOf = (ms: number): number => {
  const i = BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? BUCKETS_MS.length : i;
};

/** The q-th percentile (0..1) of a histogram, interpolated within its bucket; null when empty. */
export function percentile(histogram: number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i += 1) {
    const count = histogram[i]!;
    if (count > 0 && seen + count >= rank) {
      if (i === BUCKETS_MS.length) return BUCKETS_MS.at(-1)!; // slower than the last bound
      const low = i === 0 ? 0 : BUCKETS_MS[i - 1]!;
      return Math.round(low + ((BUCKETS_MS[i]! - low) * (rank - seen)) / count);
    }
    seen += count;
  }
  return BUCKETS_MS.at(-1)!;
}

/** The local date of an epoch ms, YYYY-MM-DD. */
export function localDate(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Where the history of a fleet lives: beside its pid files. */
export const historyDir = (pidDir: string): string => join(pidDir, 'history');

const files = (dir: string, service: string) => ({ minutes: join(dir, `${service}.minutes.jsonl`), days: join(dir, `${service}.days.jsonl`) });

/** The records of a JSON Lines file; a line that does not parse (cut by a crash) is skipped. */
function parseLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a line cut short
    }
  }
  return out;
}

async function readLines<T>(path: string): Promise<T[]> {
  try {
    return parseLines<T>(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
}

export function readLinesSync<T>(path: string): T[] {
  try {
    return parseLines<T>(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

/** Keeps the last `keep` records of a file once it holds `keep + SLACK` (written aside, then renamed). */
async function trim<T>(path: string, records: T[], keep: number): Promise<void> {
  if (records.length <= keep + SLACK) return;
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(
    temporary,
    records
      .slice(-keep)
      .map((r) => `${JSON.stringify(r)}\n`)
      .join(''),
    { mode: 0o600 },
  );
  await rename(temporary, path);
}

/** Adds minutes up into days (a minute written twice, across a supervisor restart, counts once in `minutes`). */
function rollUp(minutes: Minute[], skip: (date: string) => boolean): Map<string, Day> {
  const days = new Map<string, Day>();
  const seen = new Map<string, Set<number>>();
  for (const m of minutes) {
    const date = localDate(m.t);
    if (skip(date)) continue;
    const day = days.get(date) ?? { date, minutes: 0, ...emptyPeriod() };
    addTo(day, m);
    const ts = seen.get(date) ?? new Set<number>();
    ts.add(m.t);
    seen.set(date, ts);
    day.minutes = ts.size;
    days.set(date, day);
  }
  return days;
}

/**
 * Appends minutes, one file per service. A minute is one append; the file is read again only
 * when a new day begins (to roll the days before it up) or when it is due for a trim.
 */
export class HistoryWriter {
  private readonly known = new Map<string, { lines: number; lastDate: string | null }>();

  constructor(private readonly dir: string) {}

  /**
   * One append (an open, a write and a close on libuv's pool, for each service every minute);
   * the folder is made again only when it has gone (an operator's rm, a cleaned temp folder).
   */
  async append(service: string, minute: Minute): Promise<void> {
    try {
      await this.appendTo(service, minute);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await this.appendTo(service, minute);
    }
  }

  private async appendTo(service: string, minute: Minute): Promise<void> {
    const paths = files(this.dir, service);
    let state = this.known.get(service);
    if (!state) {
      const minutes = await readLines<Minute>(paths.minutes);
      state = { lines: minutes.length, lastDate: minutes.length > 0 ? localDate(minutes.at(-1)!.t) : null };
      this.known.set(service, state);
    }
    const today = localDate(minute.t);
    if (state.lastDate !== null && state.lastDate !== today) await this.rollUpDays(paths, today);
    await appendFile(paths.minutes, `${JSON.stringify(minute)}\n`, { mode: 0o600 });
    state.lines += 1;
    state.lastDate = today;
    if (state.lines > MINUTES_KEPT + SLACK) {
      const minutes = await readLines<Minute>(paths.minutes);
      await trim(paths.minutes, minutes, MINUTES_KEPT);
      state.lines = Math.min(minutes.length, MINUTES_KEPT);
    }
  }

  /** Rolls every day before `today` that has minutes and no day line yet into the days file. */
  private async rollUpDays(paths: { minutes: string; days: string }, today: string): Promise<void> {
    const days = await readLines<Day>(paths.days);
    const rolled = new Set(days.map((d) => d.date));
    const minutes = await readLines<Minute>(paths.minutes);
    const finished = [...rollUp(minutes, (date) => date >= today || rolled.has(date)).values()].sort((a, b) => a.date.localeCompare(b.date));
    if (finished.length === 0) return;
    await appendFile(paths.days, finished.map((d) => `${JSON.stringify(d)}\n`).join(''), { mode: 0o600 });
    await trim(paths.days, [...days, ...finished], DAYS_KEPT);
  }
}

/** A service's days from the date of `from` (epoch ms) on: the rolled-up ones, and those still in minutes. */
export function readDays(dir: string, service: string, from: number): Day[] {
  const paths = files(dir, service);
  const first = localDate(from);
  const rolled = readLinesSync<Day>(paths.days);
  const rolledDates = new Set(rolled.map((d) => d.date));
  const days = new Map(rolled.filter((d) => d.date >= first).map((d) => [d.date, d]));
  for (const [date, day] of rollUp(readLinesSync<Minute>(paths.minutes), (date) => date < first || rolledDates.has(date))) days.set(date, day);
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** A service's minutes since `from` (epoch ms), oldest first: what the charts draw. */
export const readMinutes = (dir: string, service: string, from: number): Minute[] =>
  readLinesSync<Minute>(files(dir, service).minutes).filter((m) => m.t >= from);
