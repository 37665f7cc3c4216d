// A line chart's geometry from a series with gaps (null: no data in that bucket). Pure: no DOM;
// trends.ts turns it into SVG elements.

export interface ChartGeometry {
  /** SVG path data: one `M … L …` run per stretch without gaps. */
  path: string;
  /** Lone points (a value between two gaps) drawn as dots, so they are not lost. */
  dots: { x: number; y: number }[];
  max: number;
}

/** Scales values into a width × height box (y grows down; 0 at the bottom, the largest value at the top). */
export function lineGeometry(values: readonly (number | null)[], width: number, height: number): ChartGeometry {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const max = present.length ? Math.max(...present) : 0;
  const scale = max > 0 ? height / max : 0;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const round = (n: number) => Math.round(n * 10) / 10;
  let path = '';
  const dots: { x: number; y: number }[] = [];
  let run: { x: number; y: number }[] = [];
  const close = () => {
    if (run.length === 1) dots.push(run[0]!);
    else if (run.length > 1) path += run.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ') + ' ';
    run = [];
  };
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return close();
    run.push({ x: round(i * step), y: round(height - v * scale) });
  });
  close();
  return { path: path.trim(), dots, max };
}
