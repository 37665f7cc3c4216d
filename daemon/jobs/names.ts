// Default job names. A name is how `procd logs web` finds a job, so a default must be usable
// as one: never all digits (digits are read as an id), no spaces, control characters, ":" or "=".

import { basename } from 'node:path';
import { shellCommandWords } from './shell-words.js';

const MAX_NAME = 100;

/** A usable name from a command (its program's base name) or a fallback such as `pid-123`. */
export function defaultJobName(program: string, fallback = 'job'): string {
  const base = basename(program.trim().split(/\s+/)[0] ?? '')
    .replace(/[\s\p{Cc}]/gu, '')
    .replace(/[:=]/g, '-')
    .slice(0, MAX_NAME);
  if (!base) return fallback;
  return /^\d+$/.test(base) ? `job-${base}` : base;
}

/** Words before the real program: keywords that open a command, and wrappers (their options and numbers skipped too). */
const PREFIXES = new Set(['!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'while', 'until', 'do', 'done', 'esac', 'time', 'exec', 'command', 'builtin', 'nohup', 'env', 'nice']);

/** Builtins that prepare the shell or only print: their words are arguments, not the program. */
const BUILTINS = new Set([
  'cd', 'pushd', 'popd', 'export', 'unset', 'set', 'shopt', 'trap', 'local', 'readonly', 'declare', 'typeset', 'alias', 'unalias', 'umask', 'ulimit',
  'source', '.', 'eval', 'shift', 'wait', 'read', 'echo', 'printf', 'true', 'false', ':', 'test', '[', '[[', 'hash', 'type', 'function',
  // keywords whose words up to the end of the command are not commands (`for i in 1 2 3`)
  'for', 'select', 'case', 'in',
  // control flow: `make; exit 3` is named after make, not after exit
  'exit', 'return', 'break', 'continue',
]);

/**
 * The default name of `--shell SCRIPT`: the base name of the first real command (keywords,
 * builtins, wrappers and variable assignments skipped), else `sh`.
 */
export function shellJobName(script: string): string {
  for (const words of shellCommandWords(script)) {
    let afterWrapper = false;
    for (const word of words) {
      if (BUILTINS.has(word)) break;
      if (PREFIXES.has(word)) {
        afterWrapper = true;
        continue;
      }
      if (isAssignment(word) || (afterWrapper && /^(-.*|\d+)$/.test(word))) continue;
      // `$CMD`, `$(which node)`: the program is not known until the shell runs.
      if (/[$`]/.test(word)) break;
      const name = defaultJobName(word, '');
      if (name) return name;
    }
  }
  return 'sh';
}

function isAssignment(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(word);
}
