// Percentiles without sorting: quickselect (average O(n)) on a copy. Sorting 100,000 durations
// took 20–60 ms on the target machine, a third of analyze's budget; selecting p50 and p95 takes a few.

/** Nearest-rank percentiles `ps` (ascending, 0..1) of `values`, rounded to whole ms; [] stays null. */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): (number | null)[] {
  const n = values.length;
  if (!n) return ps.map(() => null);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = values[i]!;
  let lo = 0;
  return ps.map((p) => {
    const k = Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
    // Ascending ps: everything below the previous rank is already below this one.
    select(a, Math.max(lo, 0), n - 1, k);
    lo = k;
    return Math.round(a[k]!);
  });
}

/** Rearranges a[left..right] so that a[k] is the value of rank k, smaller ones before it, larger after. */
function select(a: Float64Array, left: number, right: number, k: number): void {
  while (right > left) {
    // Median of three as the pivot: sorted or reversed runs stay linear.
    const mid = (left + right) >>> 1;
    if (a[mid]! < a[left]!) swap(a, mid, left);
    if (a[right]! < a[left]!) swap(a, right, left);
    if (a[right]! < a[mid]!) swap(a, right, mid);
    const pivot = a[mid]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
