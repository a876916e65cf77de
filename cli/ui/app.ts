import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { createElement as h, type ReactElement, useEffect, useRef, useState } from 'react';
import type { ServiceStatus, StatusReport } from '../../core/status/types.js';
import { errorText } from '../../core/errors.js';
import { escapeControls } from '../../core/format.js';
import { failingText, notReady } from '../render/status-text.js';

/** Where the terminal UI gets the fleet and sends the operator's keys. */
export interface UiSource {
  status(): Promise<StatusReport>;
  /** The last `lines` lines of a service's log. */
  logLines(service: string, lines: number): string[];
  /** Runs an operator command; resolves with a line to show. */
  /** The operator's command on a service; `hup`: SIGHUP to its main process (a daemon re-reads its config). */
  act(action: 'restart' | 'stop' | 'start' | 'hup', service: string): Promise<string>;
}

export interface AppProps {
  source: UiSource;
  /** false under NO_COLOR: no colors, the selection still marked. */
  color: boolean;
  refreshMs?: number;
}

const STATE_COLORS: Record<string, string> = { running: 'green', failed: 'red', stopped: 'red', starting: 'yellow', stopping: 'yellow', backoff: 'yellow' };
const HEALTH_COLORS: Record<string, string> = { healthy: 'green', unhealthy: 'red', slow: 'yellow' };
export const HELP = '↑↓ select  r restart  s stop  u start  h HUP  / filter the log  q quit';

const mb = (bytes: number | null) => (bytes === null ? '-' : `${(bytes / 1048576).toFixed(1)} MB`);
/**
 * What the health column says instead of the health, as status does: probes failing below the
 * threshold that restarts it (`failing 2/3`: the column is 12 wide), or not ready yet.
 */
const caveat = (s: ServiceStatus) => (failingText(s) ? `failing ${s.probeFailures}/${s.probeFailureThreshold ?? '?'}` : notReady(s) ? 'not ready' : null);
const cell = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

/**
 * `zmart ui`: the services with state, health, CPU, memory and restarts; the selected
 * service's log following live; keys for restart, stop, start, a log filter, and quit.
 * Keyboard only (works over SSH); colors off under NO_COLOR.
 */
export function App({ source, color, refreshMs = 1000 }: AppProps): ReactElement {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [report, setReport] = useState<StatusReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  /** The selection as keys move it (a burst of keys acts before the next draw). */
  const chosen = useRef(0);
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState('');
  const [lines, setLines] = useState<string[]>([]);
  const services = report?.services ?? [];
  const current = services[Math.min(selected, Math.max(0, services.length - 1))];
  const rows = stdout.rows || 24;
  const logRows = Math.max(3, rows - services.length - 7);

  /** Reads the fleet now; resolves once drawn (or the problem shown). */
  const reload = useRef<() => Promise<void>>(async () => {});
  useEffect(() => {
    let live = true;
    const load = () =>
      source.status().then(
        (r) => {
          if (!live) return;
          setReport(r);
          setProblem(null);
        },
        (error: unknown) => {
          if (live) setProblem(errorText(error));
        },
      );
    reload.current = load;
    void load();
    const timer = setInterval(() => void load(), refreshMs);
    return () => {
      live = false;
      reload.current = async () => {};
      clearInterval(timer);
    };
  }, [source, refreshMs]);

  const name = current?.name;
  useEffect(() => {
    if (!name) return;
    const read = () => {
      const all = source.logLines(name, filter ? 2000 : logRows);
      setLines((filter ? all.filter((l) => l.includes(filter)) : all).slice(-logRows).map(escapeControls));
    };
    read();
    const timer = setInterval(read, 500);
    return () => clearInterval(timer);
  }, [source, name, filter, logRows]);

  useInput((input, key) => {
    if (editing) {
      if (key.return) setEditing(false);
      else if (key.escape) {
        setFilter('');
        setEditing(false);
      } else if (key.backspace || key.delete) setFilter((f) => f.slice(0, -1));
      else if (input && !key.ctrl && !key.meta) setFilter((f) => f + input);
      return;
    }
    // The selection as the keys move it, not as last drawn: keys that arrive together (typed fast,
    // pasted, sent by a script) come as one string, and each acts on the service the ones before chose.
    const last = Math.max(0, services.length - 1);
    const move = (to: number) => {
      chosen.current = Math.max(0, Math.min(last, to));
      setSelected(chosen.current);
    };
    if (key.upArrow) return move(chosen.current - 1);
    if (key.downArrow) return move(chosen.current + 1);
    if (key.escape) return setFilter('');
    if (key.ctrl || key.meta) return;
    const keys = [...input];
    for (const [i, k] of keys.entries()) {
      if (k === 'q') return exit();
      if (k === 'k') move(chosen.current - 1);
      else if (k === 'j') move(chosen.current + 1);
      else if (k === '/') {
        // what follows the slash in the same burst is the filter's text
        setFilter(keys.slice(i + 1).join(''));
        setEditing(true);
        return;
      } else if (k === 'r' || k === 's' || k === 'u' || k === 'h') {
        const target = services[Math.min(chosen.current, last)];
        if (!target) continue;
        const action = k === 'r' ? 'restart' : k === 's' ? 'stop' : k === 'u' ? 'start' : 'hup';
        setMessage(`${action} ${target.name}…`);
        // the table is read again before the answer shows, so "done" never sits beside the state before it
        source
          .act(action, target.name)
          .catch((error: unknown) => `${action} ${target.name}: ${errorText(error)}`)
          .then(async (answer) => {
            await reload.current();
            setMessage(answer);
          });
      }
    }
  });

  const paint = (value: string | undefined) => (color ? value : undefined);
  const up = services.filter((s) => s.state === 'running').length;
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { bold: true }, `zmart  ${report ? `${up}/${services.length} running` : 'connecting…'}${problem ? `  (${problem})` : ''}`),
    h(Text, { dimColor: color }, `  ${cell('SERVICE', 20)} ${cell('STATE', 9)} ${cell('HEALTH', 12)} ${cell('CPU', 7)} ${cell('MEMORY', 10)} RESTARTS`),
    ...services.map((s) => {
      const isChosen = s.name === current?.name;
      return h(
        Text,
        { key: s.name, inverse: isChosen },
        isChosen ? '› ' : '  ',
        cell(s.name, 20),
        ' ',
        h(Text, { color: paint(STATE_COLORS[s.state]) }, cell(s.state, 9)),
        ' ',
        h(Text, { color: paint(caveat(s) ? 'yellow' : HEALTH_COLORS[s.health ?? '']) }, cell(caveat(s) ?? s.health ?? '-', 12)),
        ' ',
        cell(s.cpuPercent === null ? '-' : `${s.cpuPercent}%`, 7),
        ' ',
        cell(mb(s.rssBytes), 10),
        ' ',
        `${s.restarts}${s.lastRestart ? ` (${s.lastRestart.kind})` : ''}`,
      );
    }),
    h(Text, { dimColor: color }, `── log of ${current?.name ?? '-'}${filter || editing ? `, filter: ${filter}${editing ? '▏' : ''}` : ''} ──`),
    ...lines.map((line, i) => h(Text, { key: `${i}`, wrap: 'truncate-end' }, line)),
    h(Text, { dimColor: color }, message || HELP),
  );
}
