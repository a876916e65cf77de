import { describe, expect, it } from 'vitest';
import { entryOf } from '../../../../../core/process/table/linux/environ.js';

const block = (...entries: string[]) => Buffer.from(entries.map((e) => `${e}\0`).join(''));

describe('entryOf (one NAME=value out of /proc/PID/environ)', () => {
  it.each([
    ['first entry', block('ZMART_MARK=a1', 'PATH=/bin'), 'ZMART_MARK=a1'],
    ['a later entry', block('PATH=/bin', 'ZMART_MARK=b2', 'HOME=/root'), 'ZMART_MARK=b2'],
    ['the last entry, with its NUL', block('PATH=/bin', 'ZMART_MARK=c3'), 'ZMART_MARK=c3'],
    ['the last entry, without one', Buffer.from('PATH=/bin\0ZMART_MARK=d4'), 'ZMART_MARK=d4'],
    ['an empty value', block('ZMART_MARK=', 'PATH=/bin'), 'ZMART_MARK='],
    ['the first of two', block('ZMART_MARK=e5', 'ZMART_MARK=f6'), 'ZMART_MARK=e5'],
    ['a value in UTF-8', block('PATH=/bin', 'ZMART_MARK=ünï'), 'ZMART_MARK=ünï'],
  ])('finds it as %s', (_, environ, expected) => {
    expect(entryOf(environ, 'ZMART_MARK=')).toBe(expected);
  });

  it.each([
    ['absent', block('PATH=/bin', 'HOME=/root')],
    ['only inside another value', block('OTHER=ZMART_MARK=x', 'PATH=/bin')],
    ['a longer name', block('MY_ZMART_MARK=x', 'XZMART_MARK=y')],
    ['an empty environment', Buffer.alloc(0)],
  ])('is null when %s', (_, environ) => {
    expect(entryOf(environ, 'ZMART_MARK=')).toBeNull();
  });
});
