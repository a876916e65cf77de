import { describe, expect, it } from 'vitest';
import { createRedactor, redactOptions } from '../../../../core/logging/redact.js';

describe('redaction', () => {
  it.each([
    ['python app.py --api-key sk-live-1 --port 8000', 'python app.py --api-key [redacted] --port 8000'],
    ['app --token=abc123 -v', 'app --token=[redacted] -v'],
    ['app -password hunter2', 'app -password [redacted]'],
    ['app --db-password "two words" --x', 'app --db-password [redacted] --x'],
    ['app --keyfile /etc/k --verbose', 'app --keyfile [redacted] --verbose'],
    ['app --monkey business', 'app --monkey business'],
    ['app --api-key --other', 'app --api-key --other'],
  ])('hides the value of a secret-looking option: %s', (input, expected) => {
    expect(redactOptions(input)).toBe(expected);
  });

  it('hides known secret values anywhere, and options without any known value', () => {
    const r = createRedactor(['s3cr3t-value']);
    expect(r.text('url http://x/?k=s3cr3t-value --secret other')).toBe('url http://x/?k=[redacted] --secret [redacted]');
    expect(createRedactor([]).text('--token t')).toBe('--token [redacted]');
  });
});
