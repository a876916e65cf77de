/** Names of environment variables whose values must never reach a log or status output. */
export const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL/i;
const MIN_SECRET_LENGTH = 4;
export const REDACTED = '[redacted]';

/** The values to hide: those of every secret-looking variable in the given environments. */
export function secretValues(...envs: Array<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const env of envs) {
    for (const [name, value] of Object.entries(env)) {
      if (value && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) values.add(value);
    }
  }
  // Longest first, so a secret that contains another is hidden whole.
  return [...values].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of the secrets with a marker, in text or in UTF-8 bytes. */
export interface Redactor {
  text(text: string): string;
  /** The same bytes when no secret occurs in them (the common case: no copy, no decoding). */
  bytes(data: Buffer): Buffer;
}

/**
 * A command-line option and its value: `--api-key sk-1`, `--token=abc`, `-password hunter2`.
 * When a word of the option's name (split at - _ .) is a secret's, the value goes and the
 * name stays (`--monkey` keeps its value; `--db-password` does not).
 */
const OPTION = /(^|\s)(--?[\w.-]+)(=|\s+)(?!-)("[^"]*"|'[^']*'|\S+)/g;
const SECRET_WORD = /^(?:api)?(?:key|keys|keyfile|secret|secrets|token|tokens|password|passwd|pass|credential|credentials)$/i;

/** Hides the values of secret-looking options in a command line (known secrets' values go through `createRedactor`). */
export const redactOptions = (text: string): string =>
  text.replace(OPTION, (whole, space: string, name: string, sep: string) =>
    name
      .replace(/^-+/, '')
      .split(/[-_.]/)
      .some((word) => SECRET_WORD.test(word))
      ? `${space}${name}${sep}${REDACTED}`
      : whole,
  );

export function createRedactor(secrets: string[]): Redactor {
  if (secrets.length === 0) return { text: redactOptions, bytes: (data) => data };
  const pattern = new RegExp(secrets.map(escapeRegExp).join('|'), 'g');
  const needles = secrets.map((secret) => Buffer.from(secret));
  const text = (value: string): string => redactOptions(value.replace(pattern, REDACTED));
  return {
    text,
    bytes: (data) => (needles.some((needle) => data.includes(needle)) ? Buffer.from(text(data.toString('utf8'))) : data),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
