import { ImportError } from './imported.js';

/**
 * Compose's interpolation, as `docker compose` applies it to every string of the file before
 * anything else reads it: `$$` is one `$`; `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` take the deploying shell's value
 * (here: `env`, this shell's and the `.env` beside the file); anything else after `$` is refused,
 * as Compose refuses it ("Invalid interpolation format").
 */
export function interpolate(text: string, env: Record<string, string | undefined>, where: string, used: Set<string>): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 1;
      continue;
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (bare) {
      used.add(bare[0]);
      out += env[bare[0]] ?? '';
      i += bare[0].length;
      continue;
    }
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/.exec(text.slice(i + 1));
    if (!braced) throw new ImportError(`${where}: invalid interpolation format in ${JSON.stringify(text)} (a literal $ is written $$)`);
    const [whole, name, op, arg = ''] = braced;
    used.add(name!);
    const value = env[name!];
    const set = op?.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    if (op === undefined) out += value ?? '';
    else if (op.endsWith('-')) out += set ? value : arg;
    else if (op.endsWith('+')) out += set ? arg : '';
    else if (!set) throw new ImportError(`${where}: ${name} is required: ${arg || 'not set'}`);
    else out += value;
    i += whole.length;
  }
  return out;
}

/** Go's durations, as Compose writes them: `1m30s`, `1.5s`, `500ms`, `2h`. */
export function goDurationMs(value: unknown, where: string): number {
  if (typeof value === 'number') return value / 1e6; // a bare number is nanoseconds
  const text = String(value).trim();
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  let rest = text;
  while (rest !== '') {
    const part = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!part) throw new ImportError(`${where}: ${JSON.stringify(text)}: expected a duration like 30s or 1m30s`);
    ms += Number(part[1]) * unit[part[2]!]!;
    rest = rest.slice(part[0].length);
  }
  if (text === '') throw new ImportError(`${where}: an empty duration`);
  return Math.round(ms);
}

/** Docker's memory sizes: bytes, or a number with b, k, m or g (powers of 1024). */
export function dockerBytes(value: unknown, where: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(String(value).trim());
  if (!match) throw new ImportError(`${where}: ${JSON.stringify(value)}: expected a size like 512m`);
  const power = { '': 0, b: 0, k: 1, m: 2, g: 3 }[match[2]!.toLowerCase() as 'b'];
  return Math.round(Number(match[1]) * 1024 ** power);
}
