// procd top's keys: raw input split into keys (arrows, Page Up, Esc, Ctrl-C, characters), and each
// key's new state and effect: selection by job id, sorting, the filter prompt, kill only after
// `y`, pause or resume by state, the log pane and its way back, quitting from every mode.

import { describe, expect, it } from 'vitest';
import { INITIAL_UI, onKey, parseKeys, selectedIndex, type Key, type ShownRow, type UiState } from '../../../../client/cli/top/keys.js';

const rows: ShownRow[] = [
  { id: 3, name: 'web', state: 'running' },
  { id: 5, name: 'db', state: 'paused' },
  { id: 9, name: 'build', state: 'completed' },
];
const ch = (c: string): Key => ({ char: c });
/** Presses the keys one after the other from `ui`; returns the last state and every effect. */
function press(keys: Key[], ui: UiState = INITIAL_UI) {
  const effects = [];
  for (const k of keys) {
    const r = onKey(ui, k, rows, 10);
    ui = r.ui;
    if (r.effect) effects.push(r.effect);
  }
  return { ui, effects };
}

describe('parseKeys', () => {
  it('reads arrows, paging, Home/End, with and without modifiers', () => {
    expect(parseKeys('\x1b[A\x1b[B\x1bOA\x1b[1;5B\x1b[5~\x1b[6~\x1b[H\x1b[F\x1b[1~\x1b[4~')).toEqual(['up', 'down', 'up', 'down', 'pageup', 'pagedown', 'home', 'end', 'home', 'end']);
  });
  it('reads Esc, Enter, Backspace, Ctrl-C, Ctrl-L, Ctrl-P/N and characters (not split inside a surrogate pair)', () => {
    expect(parseKeys('\x1b')).toEqual(['escape']);
    expect(parseKeys('\r\x7f\x03\x0c\x10\x0e')).toEqual(['enter', 'backspace', 'ctrl-c', 'ctrl-l', 'up', 'down']);
    expect(parseKeys('k😀/')).toEqual([ch('k'), ch('😀'), ch('/')]);
  });
  it('an unknown sequence is one unknown key, not stray characters', () => {
    expect(parseKeys('\x1b[15~q')).toEqual(['unknown', ch('q')]);
  });
});

describe('onKey: table', () => {
  it('arrows move the selection, kept by id, within the rows', () => {
    expect(press(['down']).ui.selected).toBe(5);
    expect(press(['down', 'down', 'down', 'down']).ui.selected).toBe(9);
    expect(press(['up']).ui.selected).toBe(3);
    expect(press(['end', 'home']).ui.selected).toBe(3);
    expect(selectedIndex({ ...INITIAL_UI, selected: 9 }, rows)).toBe(2);
    // The selected job is no longer shown (filtered out, removed): the first row is.
    expect(selectedIndex({ ...INITIAL_UI, selected: 42 }, rows)).toBe(0);
  });
  it('c m e s i sort', () => {
    expect(press([ch('c')]).ui.sort).toBe('cpu');
    expect(press([ch('m')]).ui.sort).toBe('mem');
    expect(press([ch('e')]).ui.sort).toBe('elapsed');
    expect(press([ch('s')]).ui.sort).toBe('state');
    expect(press([ch('c'), ch('i')]).ui.sort).toBe('id');
  });
  it('k asks first: y kills the selected job, any other key cancels', () => {
    const asked = press([ch('k')]);
    expect(asked.ui.mode).toBe('confirm-kill');
    expect(asked.effects).toEqual([]);
    expect(press([ch('y')], asked.ui).effects).toEqual([{ kind: 'kill', id: 3 }]);
    const no = press([ch('n')], asked.ui);
    expect(no.effects).toEqual([]);
    expect(no.ui.mode).toBe('table');
    expect(press(['escape'], asked.ui).effects).toEqual([]);
  });
  it('k on an ended job says so and asks nothing', () => {
    const r = press(['end', ch('k')]);
    expect(r.ui.mode).toBe('table');
    expect(r.ui.message).toMatch(/has ended/);
  });
  it('p pauses a running job and resumes a paused one; r restarts', () => {
    expect(press([ch('p')]).effects).toEqual([{ kind: 'pause', id: 3 }]);
    expect(press(['down', ch('p')]).effects).toEqual([{ kind: 'resume', id: 5 }]);
    expect(press(['end', ch('p')]).effects).toEqual([]);
    expect(press([ch('r')]).effects).toEqual([{ kind: 'restart', id: 3 }]);
  });
  it('l and Enter open the log pane; Esc, q and l close it', () => {
    const open = press(['down', ch('l')]);
    expect(open.effects).toEqual([{ kind: 'open-logs', id: 5 }]);
    expect(open.ui).toMatchObject({ mode: 'logs', logsOf: 5 });
    expect(press(['enter']).effects).toEqual([{ kind: 'open-logs', id: 3 }]);
    for (const k of ['escape', ch('q'), ch('l')] as Key[]) {
      const closed = press([k], open.ui);
      expect(closed.effects).toEqual([{ kind: 'close-logs' }]);
      expect(closed.ui.mode).toBe('table');
    }
  });
  it('the log pane scrolls back and End follows again', () => {
    const open = press([ch('l')]).ui;
    expect(press(['up', 'up', 'pageup'], open).ui.logScroll).toBe(11);
    expect(press(['up', 'up', 'end'], open).ui.logScroll).toBe(0);
    expect(press(['down'], open).ui.logScroll).toBe(0);
  });
  it('q quits; Ctrl-C quits from every mode', () => {
    expect(press([ch('q')]).effects).toEqual([{ kind: 'quit' }]);
    for (const mode of ['table', 'filter', 'confirm-kill', 'logs'] as const) expect(press(['ctrl-c'], { ...INITIAL_UI, mode }).effects).toEqual([{ kind: 'quit' }]);
  });
  it('with no rows, actions say there is no job', () => {
    const r = onKey(INITIAL_UI, ch('k'), [], 10);
    expect(r.effect).toBeNull();
    expect(r.ui.message).toBe('no job selected');
  });
});

describe('onKey: filter', () => {
  it('/ opens the prompt; characters type, Backspace deletes, Enter keeps, Esc clears', () => {
    const typed = press([ch('/'), ch('w'), ch('e'), ch('x'), 'backspace']);
    expect(typed.ui).toMatchObject({ mode: 'filter', filter: 'we' });
    // Letters are text in the prompt, not commands: q does not quit, k does not kill.
    expect(press([ch('q'), ch('k')], typed.ui).effects).toEqual([]);
    expect(press(['enter'], typed.ui).ui).toMatchObject({ mode: 'table', filter: 'we' });
    expect(press(['escape'], typed.ui).ui).toMatchObject({ mode: 'table', filter: '' });
  });
});
