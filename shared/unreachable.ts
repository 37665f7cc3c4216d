// The default branch of an exhaustive switch: the compiler proves it unreachable (`never`), and
// should a value the types did not foresee arrive at run time (a record from a newer version),
// the error names what was not handled.

export function unreachable(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
