import { describe, expect, it } from 'vitest';
import { ExitError } from '../../../client/cli/exit-codes.js';
import { durationOption, intOption, jobRef, LIMITS, sizeOption } from '../../../client/cli/parse.js';
import { METHOD_SCHEMAS } from '../../../shared/schemas/methods.js';
import { parseAt } from '../../../shared/schemas/valid.js';

/** The usage error a call throws: exit 2 and its message. */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ExitError);
    expect((err as ExitError).exitCode).toBe(2);
    return (err as ExitError).message;
  }
  throw new Error('no error thrown');
}

describe('option ranges', () => {
  it('names the option, not the protocol field, for an out-of-range duration', () => {
    expect(usageError(() => durationOption('timeout', '0', { min: 1, belowMinHint: 'leave --timeout out for no timeout' }))).toBe(
      '--timeout: "0" is too short: at least 1ms (leave --timeout out for no timeout)',
    );
    expect(usageError(() => durationOption('timeout', '99999999999d'))).toBe('--timeout: "99999999999d" is too long: at most 3650d');
    expect(usageError(() => durationOption('since', '3651d'))).toMatch(/^--since: /);
    expect(durationOption('stuck-after', '0')).toBe(0);
    expect(durationOption('timeout', '3650d', { min: 1 })).toBe(LIMITS.durationMs);
  });

  it('checks sizes and counts', () => {
    expect(usageError(() => sizeOption('max-output', '1k', { min: LIMITS.minOutputBytes, max: LIMITS.maxOutputBytes }))).toBe('--max-output: "1k" is too small: at least 4.0KiB');
    expect(usageError(() => sizeOption('max-output', '2000000g', { min: LIMITS.minOutputBytes, max: LIMITS.maxOutputBytes }))).toMatch(/^--max-output: .* too large/);
    expect(sizeOption('max-output', '4k', { min: LIMITS.minOutputBytes })).toBe(4096);
    expect(usageError(() => intOption('tail', '99999999999', { max: LIMITS.count }))).toBe('--tail: "99999999999" is too large: at most 10000000');
    expect(intOption('tail', '0', { max: LIMITS.count })).toBe(0);
  });

  it('refuses ids the protocol cannot name', () => {
    expect(usageError(() => jobRef('0'))).toMatch(/"0" is not a job id/);
    expect(usageError(() => jobRef('99999999999999999999'))).toMatch(/not a job id/);
    expect(jobRef('7')).toBe(7);
    expect(jobRef('web')).toBe('web');
  });

  it('uses the protocol’s own limits', () => {
    const track = (extra: Record<string, number>) => parseAt(METHOD_SCHEMAS.track.params, { cwd: '/', argv: ['true'], ...extra }, 'params').ok;
    expect(track({ timeoutMs: LIMITS.durationMs })).toBe(true);
    expect(track({ timeoutMs: LIMITS.durationMs + 1 })).toBe(false);
    expect(track({ timeoutMs: 0 })).toBe(false);
    expect(track({ maxOutputBytes: LIMITS.minOutputBytes })).toBe(true);
    expect(track({ maxOutputBytes: LIMITS.minOutputBytes - 1 })).toBe(false);
    expect(track({ maxOutputBytes: LIMITS.maxOutputBytes + 1 })).toBe(false);
    expect(parseAt(METHOD_SCHEMAS.wait.params, { jobs: [1], timeoutMs: LIMITS.durationMs + 1 }, 'params').ok).toBe(false);
    expect(parseAt(METHOD_SCHEMAS.logs.params, { job: 1, tailLines: LIMITS.count }, 'params').ok).toBe(true);
    expect(parseAt(METHOD_SCHEMAS.logs.params, { job: 1, tailLines: LIMITS.count + 1 }, 'params').ok).toBe(false);
    expect(parseAt(METHOD_SCHEMAS.cleanup.params, { maxRecords: LIMITS.count + 1 }, 'params').ok).toBe(false);
  });
});
