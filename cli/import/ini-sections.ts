/**
 * An INI file as Python's configparser reads it for supervisord: `[section]` headers, `key = value`
 * or `key: value`, values continued on indented lines, `;` and `#` comment lines, and an inline
 * comment after blanks then `;` or `#` (supervisord 4's inline_comment_prefixes). Keys are lower-cased, as configparser does.
 *
 * (The npm `ini` package reads neither continuation lines nor `:`, and treats `;` anywhere as a
 * comment: a command holding one would be cut.)
 */
export interface IniSection {
  name: string;
  /** The line the header is on (1-based). */
  line: number;
  values: Map<string, string>;
}

export class IniError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export function iniSections(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | null = null;
  let lastKey: string | null = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (/^\s*[;#]/.test(raw) || raw.trim() === '') {
      if (raw.trim() === '') lastKey = null;
      return;
    }
    if (/^\s/.test(raw) && current && lastKey) {
      current.values.set(lastKey, `${current.values.get(lastKey)}\n${stripComment(raw.trim())}`);
      return;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      current = { name: header[1]!.trim(), line, values: new Map() };
      sections.push(current);
      lastKey = null;
      return;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!pair) throw new IniError(line, `expected [section] or key = value, got ${JSON.stringify(raw.slice(0, 60))}`);
    if (!current) throw new IniError(line, 'a key before any [section]');
    lastKey = pair[1]!.trim().toLowerCase();
    current.values.set(lastKey, stripComment(pair[2]!));
  });
  return sections;
}

/** configparser drops an inline comment: blanks, then `;` or `#`. */
const stripComment = (value: string): string => value.replace(/\s+[;#].*$/, '').trim();
