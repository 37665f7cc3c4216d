// A small shell tokenizer, only good enough to find the words of each simple command in a
// `--shell` string (for its default name): quotes, backslashes, `$(...)` and backticks are kept
// inside one word; `;`, `&`, `|`, `&&`, `||`, parentheses and newlines end a command;
// redirections and their targets are dropped. It never runs or expands anything.

const SEPARATORS = new Set([';', '&', '|', '(', ')', '\n']);

/** The words of each simple command, in order (quotes removed). */
export function shellCommandWords(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let skipNext = false;
  const endWord = () => {
    if (inWord) {
      if (skipNext) skipNext = false;
      else words.push(word);
    }
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === '\\') {
      word += script[i + 1] ?? '';
      inWord = true;
      i++;
    } else if (c === "'" || c === '"') {
      const end = script.indexOf(c, i + 1);
      const stop = end === -1 ? script.length : end;
      word += script.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (c === '$' && script[i + 1] === '(') {
      const stop = closing(script, i + 1);
      word += script.slice(i, stop + 1);
      inWord = true;
      i = stop;
    } else if (c === '`') {
      const end = script.indexOf('`', i + 1);
      const stop = end === -1 ? script.length : end;
      word += script.slice(i, stop + 1);
      inWord = true;
      i = stop;
    } else if (c === '#' && !inWord) {
      const end = script.indexOf('\n', i);
      i = (end === -1 ? script.length : end) - 1;
    } else if (SEPARATORS.has(c)) {
      endCommand();
    } else if (c === '>' || c === '<') {
      // `2>err.log`: the fd number belongs to the redirection, and so does the next word.
      if (/^\d+$/.test(word)) {
        word = '';
        inWord = false;
      } else endWord();
      while (script[i + 1] === '>' || script[i + 1] === '&' || script[i + 1] === '<') i++;
      skipNext = true;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

/** The index of the `)` that closes the `(` at `open` (or the end of the script). */
function closing(script: string, open: number): number {
  let depth = 0;
  for (let i = open; i < script.length; i++) {
    if (script[i] === '(') depth++;
    else if (script[i] === ')' && --depth === 0) return i;
  }
  return script.length;
}
