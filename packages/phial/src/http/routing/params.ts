/**
 * Route parameter types read from the rule string at compile time, so `app.get('/u/<int:id>', (req) => ...)`
 * gives `req.params.id: number` without annotations.
 */

type Whitespace = ' ' | '\t' | '\n';

/** Strips spaces around a string literal type. */
type Trim<S extends string> = S extends `${Whitespace}${infer R}`
  ? Trim<R>
  : S extends `${infer L}${Whitespace}`
    ? Trim<L>
    : S;

/** `'a'`, `"a"`, `a` → `a`. */
type Unquote<S extends string> = S extends `'${infer V}'` ? V : S extends `"${infer V}"` ? V : S;

/** `a, 'b', c` → `'a' | 'b' | 'c'`. */
type AnyItems<S extends string> = S extends `${infer Head},${infer Rest}`
  ? Unquote<Trim<Head>> | AnyItems<Rest>
  : Unquote<Trim<S>>;

/** Value type of a converter spec (`int`, `int(min=1)`, `any(a, b)`, ...). */
type ConverterValue<C extends string> = C extends 'int' | `int(${string}`
  ? number
  : C extends 'float' | `float(${string}`
    ? number
    : C extends `any(${infer Items})`
      ? AnyItems<Items>
      : string;

/** The text of a placeholder (`int(min=1):id`, `name`) → `[name, type]`. */
type Entry<P extends string> = P extends `${infer Conv}:${infer Name}`
  ? Name extends `${string}:${string}`
    ? never
    : [Trim<Name>, ConverterValue<Trim<Conv>>]
  : [Trim<P>, string];

/** Every placeholder of a rule as a union of `[name, type]`. */
type Entries<R extends string> = R extends `${string}<${infer Inner}>${infer Rest}`
  ? Entry<Inner> | Entries<Rest>
  : never;

/**
 * Params typed from a rule string: `'/u/<int:id>/<name>'` → `{ id: number; name: string }`;
 * int/float → number, `any(a, b)` → `'a' | 'b'`, everything else → string; no placeholders →
 * `Record<string, never>`; a non-literal `string` → `Record<string, unknown>`.
 */
export type RouteParams<R extends string> = string extends R
  ? Record<string, unknown>
  : [Entries<R>] extends [never]
    ? Record<string, never>
    : { [E in Entries<R> as E[0]]: E[1] };
