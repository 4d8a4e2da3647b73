/**
 * Per-instance caches, so that the two sides of a step share one evaluation.
 * @module
 */

/** Caches `f(x)` per object `x`. */
export function memo<K extends object, V>(f: (x: K) => V): (x: K) => V {
  const cache = new WeakMap<K, V>();
  return (x) => {
    if (!cache.has(x)) cache.set(x, f(x));
    return cache.get(x)!;
  };
}
