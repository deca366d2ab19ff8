// Conversions done once per input object rather than once per model call.

/**
 * `convert` remembered per input object (weakly: the entry goes with the object). The tool loop hands a model
 * the same tool list on every turn of a conversation, so the provider's declarations for it — schema rewriting
 * included — are built once, not once per request. Inputs are read as immutable (see ModelRequest).
 */
export function memoByIdentity<K extends object, V>(convert: (input: K) => V): (input: K) => V {
  const cache = new WeakMap<K, V>();
  return (input) => {
    if (cache.has(input)) return cache.get(input) as V;
    const value = convert(input);
    cache.set(input, value);
    return value;
  };
}
