/** `value` rounded to `digits` decimals; non-finite values (NaN: not measured) unchanged. */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Number.isFinite(value) ? Math.round(value * f) / f : value;
}

/** The same keys, each value mapped. */
export function mapValues<K extends string, V, W>(object: Readonly<Record<K, V>>, fn: (value: V) => W): Record<K, W> {
  return Object.fromEntries(Object.entries<V>(object).map(([k, v]) => [k, fn(v)])) as Record<K, W>;
}
