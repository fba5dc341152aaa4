/** Marks a `switch` as exhaustive: a new union member will not compile until it is handled. */
export function unreachable(value: never): never {
  throw new InternalError(`unhandled case: ${JSON.stringify(value)}`);
}

/** A bug in tock, not a user's mistake or a job's failure (STYLE habit 3). */
export class InternalError extends Error {
  override name = 'InternalError';
}
