/** Names of environment variables whose values must never reach a log or status output. */
export const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|(?:^|_)O?AUTH(?:_|$)/i;
const MIN_SECRET_LENGTH = 4;
export const REDACTED = '[redacted]';

/** The password of a URL with credentials: `postgres://admin:S3cret@db/app` -> `S3cret` (group 2). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi;

/**
 * The values to hide: those of every secret-looking variable in the given environments, the
 * password of every URL with credentials in any of their values (`DATABASE_URL` does not look
 * secret; `postgres://admin:pw@db` is), and the credential of any `Bearer ...` or `Basic ...` value.
 */
export function secretValues(...envs: Array<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const env of envs) {
    for (const [name, value] of Object.entries(env)) {
      if (!value) continue;
      if (SECRET_NAME.test(name)) values.add(value);
      for (const found of value.matchAll(URL_CREDENTIALS)) values.add(found[2]!);
      // an Authorization header's value, whatever the variable is called
      const credential = /^(?:Bearer|Basic|Token|Bot)\s+(\S+)$/i.exec(value);
      if (credential) values.add(credential[1]!);
    }
  }
  return longestFirst(values);
}

/**
 * The secrets a command line holds: URL passwords and the values of secret-looking options
 * (`--password=pw`, `--api-key pw`, argv `['--token', 'pw']`), so that a service printing its
 * own argv (`sleep: unrecognized option '--password=pw'`) has them hidden too.
 */
export function commandSecrets(command: string | string[]): string[] {
  const words = Array.isArray(command) ? command : [command];
  const values = new Set<string>();
  words.forEach((word, i) => {
    for (const found of word.matchAll(URL_CREDENTIALS)) values.add(found[2]!);
    for (const found of word.matchAll(OPTION)) if (secretOption(found[2]!)) values.add(unquote(found[4]!));
    const next = words[i + 1];
    if (Array.isArray(command) && /^--?[\w.-]+$/.test(word) && secretOption(word) && next !== undefined && !next.startsWith('-')) values.add(next);
  });
  return longestFirst(values);
}

/** Long enough to hide (shorter ones would hide common words), longest first: a secret that holds another is hidden whole. */
const longestFirst = (values: Set<string>): string[] => [...values].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);

const unquote = (value: string) => (/^(["']).*\1$/.test(value) ? value.slice(1, -1) : value);

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

/** True when a word of the option's name (split at - _ .) is a secret's. */
const secretOption = (name: string): boolean =>
  name
    .replace(/^-+/, '')
    .split(/[-_.]/)
    .some((word) => SECRET_WORD.test(word));

/**
 * Hides what looks secret in any text, known or not: the values of secret-looking options and
 * the passwords of URLs with credentials (`postgres://admin:[redacted]@db/app`). Known secrets'
 * values go through `createRedactor`.
 */
export const redactOptions = (text: string): string =>
  text
    .replace(OPTION, (whole, space: string, name: string, sep: string) => (secretOption(name) ? `${space}${name}${sep}${REDACTED}` : whole))
    .replace(URL_CREDENTIALS, (_whole, user: string) => `${user}${REDACTED}@`);

/** Every string in a plugin's per-service options (a probe's URL with credentials, say), as words to look through. */
export function optionSecrets(options: unknown): string[] {
  const strings: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(options);
  return commandSecrets(strings);
}

export function createRedactor(given: string[]): Redactor {
  const secrets = longestFirst(new Set(given));
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
