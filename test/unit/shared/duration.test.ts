import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseSize } from '../../../shared/duration.js';
import { parseSignal } from '../../../shared/signals.js';

describe('durations, sizes, signals', () => {
  it('parses the units users type', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('2')).toBe(2000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('-1s')).toBeNull();
  });

  it('formats durations compactly', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_660_000)).toBe('1h01m');
  });

  it('parses sizes', () => {
    expect(parseSize('64k')).toBe(65536);
    expect(parseSize('10MB')).toBe(10_000_000);
    expect(parseSize('1GiB')).toBe(1024 ** 3);
    expect(parseSize('lots')).toBeNull();
  });

  it('parses signals by name, short name and number', () => {
    expect(parseSignal('TERM')).toEqual({ name: 'SIGTERM', number: 15 });
    expect(parseSignal('sigkill')).toEqual({ name: 'SIGKILL', number: 9 });
    expect(parseSignal('2')).toEqual({ name: 'SIGINT', number: 2 });
    expect(parseSignal('SIGNOPE')).toBeNull();
  });
});
