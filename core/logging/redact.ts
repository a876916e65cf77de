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

export type Redactor = (text: string) => string;

/** A function that replaces every occurrence of the secrets with a marker; identity when none. */
export function createRedactor(secrets: string[]): Redactor {
  if (secrets.length === 0) return (text) => text;
  const pattern = new RegExp(secrets.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
