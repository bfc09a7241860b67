/**
 * Small checks of untrusted JSON values that also name their TypeScript type (`Infer<typeof c>`),
 * for what a browser parses: the server's messages and peers' signals. Each check returns null
 * for a value of its type, or where and why it is not. They never throw and never recurse deeper
 * than the shape they describe.
 *
 * Why not zod here: the server parses client messages with zod (rich errors, transforms), but a
 * browser game would ship all of it (about 25 KB gzipped) to validate eight message shapes. These
 * checks cost a few hundred bytes (`npm run bench:bundle`).
 *
 * @example
 * const point = obj({ x: num, y: num, label: opt(str(20)) });
 * type Point = Infer<typeof point>;          // { x: number; y: number; label?: string }
 * if (point(value) === null) use(value as Point);
 */

/** A check of values of type `T`: null when `value` is one, else why not (with `path`). */
export type Check<T> = ((value: unknown, path?: string) => string | null) & { readonly __type?: T };
/** The type a check accepts. */
export type Infer<C> = C extends Check<infer T> ? T : never;

const fail = (path: string, what: string) => `${path || 'value'}: expected ${what}`;
/** A check from a function returning null or why not; `fail(path, what)` words the why. */
export const custom = <T>(fn: (value: unknown, path: string) => string | null): Check<T> =>
  ((value: unknown, path = '') => fn(value, path)) as Check<T>;
export { fail as expected };

/** A string of `min` to `max` UTF-16 units. */
export const str = (max = Number.POSITIVE_INFINITY, min = 0): Check<string> =>
  custom((v, p) =>
    typeof v === 'string' && v.length <= max && v.length >= min
      ? null
      : fail(p, `a string${max < Infinity ? ` of ${min} to ${max}` : ''}`),
  );
/** A finite number. */
export const num: Check<number> = custom((v, p) =>
  typeof v === 'number' && Number.isFinite(v) ? null : fail(p, 'a number'),
);
/** A whole number. */
export const int: Check<number> = custom((v, p) => (Number.isInteger(v) ? null : fail(p, 'an integer')));
export const bool: Check<boolean> = custom((v, p) => (typeof v === 'boolean' ? null : fail(p, 'a boolean')));
/** Anything (JSON already bounded its shape). */
export const unknown: Check<unknown> = custom(() => null);

/** Exactly one of `values`. */
export const oneOf = <const T extends readonly (string | number | boolean)[]>(...values: T): Check<T[number]> =>
  custom((v, p) =>
    (values as readonly unknown[]).includes(v) ? null : fail(p, values.map((x) => JSON.stringify(x)).join(' | ')),
  );

/** An array of `min` to `max` items, each passing `item`. */
export const arr = <T>(item: Check<T>, max = Number.POSITIVE_INFINITY, min = 0): Check<T[]> =>
  custom((v, p) => {
    if (!Array.isArray(v) || v.length > max || v.length < min)
      return fail(p, `an array${max < Infinity ? ` of ${min} to ${max}` : ''}`);
    for (let i = 0; i < v.length; i++) {
      const why = item(v[i], `${p}[${i}]`);
      if (why !== null) return why;
    }
    return null;
  });

/** A plain object (not an array, not null) with any keys. */
export const record: Check<Record<string, unknown>> = custom((v, p) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? null : fail(p, 'an object'),
);

/** `c`, or null. */
export const orNull = <T>(c: Check<T>): Check<T | null> => custom((v, p) => (v === null ? null : c(v, p)));

/** Marks a field of {@link obj} as optional: absent, or passing `c`. */
export interface Optional<T> {
  readonly optional: Check<T>;
}
export const opt = <T>(c: Check<T>): Optional<T> => ({ optional: c });

/** A field of {@link obj} that must be absent (tells apart shapes that `either` accepts). */
export const absent: Optional<never> = { optional: custom((_v, p) => fail(p, 'nothing')) };

type Field = Check<unknown> | Optional<unknown>;
type RequiredFields<S> = { [K in keyof S as S[K] extends Optional<unknown> ? never : K]: Infer<S[K]> };
type Optionals<S> = {
  [K in keyof S as S[K] extends Optional<unknown> ? K : never]?: S[K] extends Optional<infer T> ? T : never;
};
type Flat<T> = { [K in keyof T]: T[K] };

/** An object with these fields (others are allowed and ignored). */
export const obj = <S extends Record<string, Field>>(shape: S): Check<Flat<RequiredFields<S> & Optionals<S>>> => {
  const entries = Object.entries(shape);
  return custom((v, p) => {
    const why = record(v, p);
    if (why !== null) return why;
    const o = v as Record<string, unknown>;
    for (const [key, field] of entries) {
      const value = o[key];
      const at = p ? `${p}.${key}` : key;
      if ('optional' in field) {
        if (value !== undefined) {
          const w = field.optional(value, at);
          if (w !== null) return w;
        }
      } else {
        const w = field(value, at);
        if (w !== null) return w;
      }
    }
    return null;
  });
};

/** Either check. */
export const either = <A, B>(a: Check<A>, b: Check<B>): Check<A | B> =>
  custom((v, p) => (a(v, p) === null || b(v, p) === null ? null : fail(p, 'one of the allowed shapes')));

/**
 * Objects told apart by their `type` field, each checked by its own shape: `byType` maps each
 * `type` value to its check.
 */
export const tagged = <M extends Record<string, Check<{ type: string }>>>(byType: M): Check<Infer<M[keyof M]>> =>
  custom((v, p) => {
    const why = record(v, p);
    if (why !== null) return why;
    const type = (v as { type?: unknown }).type;
    const c = typeof type === 'string' && Object.hasOwn(byType, type) ? byType[type] : undefined;
    return c ? c(v, p) : fail(p ? `${p}.type` : 'type', `one of ${Object.keys(byType).join(', ')}`);
  });
