import { describe, expect, it } from 'vitest';
import { parseSignal } from '../../../../core/service/signals.js';

describe('the signals an operator may send', () => {
  it('takes names with or without SIG, in any case; nothing else', () => {
    expect(['HUP', 'hup', 'SIGHUP', ' sighup '].map(parseSignal)).toEqual(['SIGHUP', 'SIGHUP', 'SIGHUP', 'SIGHUP']);
    expect(parseSignal('ttin')).toBe('SIGTTIN');
    expect(['KILL', 'SIGSTOP', '9', '1', '', 'SIG', 'HUPX', 'SIGSIGHUP'].map(parseSignal)).toEqual(Array(8).fill(null));
  });
});
