// Compact terminal charts for `procd trends`: one character per bucket, its height the value's
// share of the series' largest. Unicode blocks where the terminal speaks UTF-8, ASCII otherwise.

const BLOCKS = '▁▂▃▄▅▆▇█';
const ASCII = '_.-:=+*#';

/** Whether to draw with ASCII: asked for (PROCD_ASCII=1), or a locale that is not UTF-8. */
export function wantsAscii(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.PROCD_ASCII === '1') return true;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return locale !== '' && !/utf-?8/i.test(locale);
}

/**
 * One character per value: null (nothing to measure) is a blank, 0 the lowest mark, the series'
 * largest value the highest. A series of zeros stays at the lowest mark (nothing happened).
 */
export function sparkline(values: readonly (number | null)[], ascii = false): string {
  const marks = ascii ? ASCII : BLOCKS;
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  return values
    .map((v) => {
      if (v === null) return ' ';
      if (max === 0 || v <= 0) return marks[0]!;
      return marks[Math.min(marks.length - 1, Math.max(1, Math.round((v / max) * (marks.length - 1))))]!;
    })
    .join('');
}
