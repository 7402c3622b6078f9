/** A value now, or a promise of it: what a step that is usually synchronous returns. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Applies `next` to a value now, or once it resolves: a chain of such steps stays synchronous until
 * one is not (no promise, no microtask per step on the decision's hot path).
 */
export function thenOrNow<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
