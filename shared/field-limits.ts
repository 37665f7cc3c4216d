// Numeric limits of the protocol's fields, shared by the method table, the schemas and the CLI.

/** Numeric limits of the protocol's fields; the CLI checks its options against the same ones. */
export const LIMITS = {
  /** Any duration field: ten years. */
  durationMs: 10 * 365 * 86_400_000,
  minOutputBytes: 4096,
  maxOutputBytes: 2 ** 50,
  /** Line and record counts. */
  count: 10_000_000,
  /**
   * A command as the OS takes it: one argument or variable up to 128 KiB (Linux's MAX_ARG_STRLEN),
   * and as many items as fit into ARG_MAX (2 MiB here; each costs at least its NUL and a pointer).
   * What still exceeds the OS's own limit fails at exec with E2BIG, which says which part is large.
   */
  commandItemChars: 1 << 17,
  commandItems: 1 << 18,
  /** A job's own stop grace (`track --grace`; systemd's default is 90 s): calls that may wait for it allow that much more. */
  stopGraceMs: 5 * 60_000,
} as const;
