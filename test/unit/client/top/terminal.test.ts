// Frames without flicker: the first frame clears and draws everything, later ones rewrite only the
// lines that changed (each cleared to its end), and an unchanged frame writes nothing. The screen
// is given back (raw mode off, cursor shown, alternate screen left) on leave and on any exit.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadStream, WriteStream } from 'node:tty';
import { describe, expect, it } from 'vitest';
import { frameBytes, Screen } from '../../../../client/cli/top/terminal.js';

describe('frameBytes', () => {
  it('draws the whole screen when the previous one is unknown', () => {
    expect(frameBytes(null, ['a', 'b'])).toBe('\x1b[H\x1b[2J\x1b[1;1Ha\x1b[0m\x1b[K\x1b[2;1Hb\x1b[0m\x1b[K');
  });
  it('rewrites only the lines that changed', () => {
    expect(frameBytes(['a', 'b', 'c'], ['a', 'B', 'c'])).toBe('\x1b[2;1HB\x1b[0m\x1b[K');
  });
  it('writes nothing for the same frame', () => {
    expect(frameBytes(['a', 'b'], ['a', 'b'])).toBe('');
  });
});

describe('Screen', () => {
  function fakeTerminal() {
    const dir = mkdtempSync(join(tmpdir(), 'procd-top-'));
    const file = join(dir, 'tty');
    const fd = openSync(file, 'w');
    const input = { isRaw: false, setRawMode(on: boolean) { this.isRaw = on; return this; }, resume() {}, pause() {}, setEncoding() {} };
    const written: string[] = [];
    const output = { columns: 80, rows: 24, write: (s: string) => (written.push(s), true) };
    const screen = new Screen(input as unknown as ReadStream, output as unknown as WriteStream, fd);
    const bytes = () => readFileSync(file, 'utf8');
    return { screen, input, written, bytes, done: () => (closeSync(fd), rmSync(dir, { recursive: true, force: true })) };
  }

  it('enters the alternate screen with the cursor hidden and raw input; leave gives all of it back, once', () => {
    const t = fakeTerminal();
    try {
      t.screen.enter();
      expect(t.input.isRaw).toBe(true);
      expect(t.bytes()).toBe('\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J');
      t.screen.draw(['a']);
      expect(t.written).toHaveLength(1);
      t.screen.leave();
      t.screen.leave();
      expect(t.input.isRaw).toBe(false);
      expect(t.bytes()).toBe('\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J\x1b[0m\x1b[?25h\x1b[?1049l');
      // Nothing is drawn on the shell's screen after leaving.
      t.screen.draw(['b']);
      expect(t.written).toHaveLength(1);
    } finally {
      t.done();
    }
  });

  it('restores the terminal when the process exits without leave (an exit from anywhere)', () => {
    const t = fakeTerminal();
    try {
      const before = new Set(process.listeners('exit'));
      t.screen.enter();
      const added = process.listeners('exit').filter((l) => !before.has(l));
      expect(added).toHaveLength(1);
      // What Node runs at exit (called directly: emitting 'exit' would reach the test runner's own listeners).
      added[0]!(1);
      expect(t.input.isRaw).toBe(false);
      expect(t.bytes().endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
    } finally {
      t.done();
    }
  });
});
