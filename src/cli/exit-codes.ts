/** The documented exit codes (SPEC 6); README "Exit codes" lists the same. */
export const EXIT = {
  ok: 0,
  /** A run asked for did not succeed (failed, timeout, deadline, missed, interrupted, killed, overlap, upstream-failed). */
  failed: 1,
  /** A usage mistake or an invalid jobfile: nothing was run. */
  usage: 2,
  /** A bug in tock. */
  internal: 70,
  /** `run` refused because the job is already running under `concurrency: forbid`. */
  busy: 75,
} as const;
