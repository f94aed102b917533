/** A value now, or a promise of it: what a step of the loader pipeline answers. */
export type MaybePromise<T> = T | Promise<T>

export function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

/**
 * Continues with `next(run, value)`: at once when `value` is not a promise (no promise is
 * created), else once it settles. The one way every pipeline step continues, as Fastify's hook
 * runner does; `run` carries the request's state, so steps are plain functions, not closures.
 */
export function chain<R, T, U> (run: R, value: T | PromiseLike<T>, next: (run: R, value: T) => MaybePromise<U>): MaybePromise<U> {
  if (isThenable(value)) {
    return Promise.resolve(value).then((settled) => next(run, settled as T))
  }
  return next(run, value as T)
}
