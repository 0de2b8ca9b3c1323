import type { TerraformFunction } from "../functions.ts";
import { convertToType, impliedType, setValue, unifyTypes, valueTypeName } from "../type-constraint.ts";
import { isObject, isSet, valuesEqual } from "../values.ts";
import { defineFunction, fail, LIST_OF_ANY, LIST_OF_BOOL, LIST_OF_STRING, NUMBER, SET_OF_ANY, STRING, wholeNumber } from "./function-spec.ts";
import { compareCodePoints, graphemes } from "./text.ts";

/**
 * Terraform's collection functions (lists, sets, maps, objects), and
 * `length`, which also counts a string's characters.
 *
 * @see https://developer.hashicorp.com/terraform/language/functions
 */
export function collectionFunctions(): Record<string, TerraformFunction> {
  return {
    length: defineFunction("length", {
      params: [{ name: "value", type: "dynamic" }],
      impl: ([value]) => {
        if (typeof value === "string") return graphemes(value).length;
        if (Array.isArray(value)) return value.length;
        if (isObject(value)) return Object.keys(value).length;
        return fail("argument must be a string, a collection type, or a structural type");
      },
    }),

    merge: defineFunction("merge", {
      params: [],
      variadic: { name: "maps", type: "dynamic", allowNull: true },
      impl: (maps) => {
        const entries: [string, unknown][] = [];
        for (const map of maps) {
          if (map === null) continue;
          if (!isObject(map)) fail(`arguments must be maps or objects, got ${JSON.stringify(valueTypeName(map))}`);
          entries.push(...Object.entries(map));
        }
        return Object.fromEntries(entries);
      },
    }),

    lookup: defineFunction("lookup", {
      params: [
        { name: "inputMap", type: "dynamic" },
        { name: "key", type: STRING },
      ],
      variadic: { name: "default", type: "dynamic", allowNull: true },
      impl: ([map, key, ...rest]) => {
        if (rest.length > 1) fail(`lookup() takes two or three arguments, got ${rest.length + 2}`);
        if (!isObject(map)) fail("lookup() requires a map as the first argument");
        if (Object.hasOwn(map, key as string)) return map[key as string];
        if (rest.length === 1) return rest[0];
        return fail(`lookup failed to find key ${JSON.stringify(key)}`);
      },
    }),

    concat: defineFunction("concat", {
      params: [],
      variadic: { name: "seqs", type: "dynamic" },
      impl: (seqs) => {
        if (seqs.length === 0) fail("at least one argument is required");
        for (const seq of seqs) {
          if (!Array.isArray(seq) || isSet(seq)) fail(`all arguments must be lists or tuples; got ${valueTypeName(seq)}`);
        }
        return (seqs as unknown[][]).flat(1);
      },
    }),

    flatten: defineFunction("flatten", {
      params: [{ name: "list", type: "dynamic" }],
      impl: ([list]) => {
        if (!Array.isArray(list)) fail("can only flatten lists, sets and tuples");
        return flattenInto(list, []);
      },
    }),

    keys: defineFunction("keys", {
      params: [{ name: "inputMap", type: "dynamic" }],
      impl: ([map]) => {
        if (!isObject(map)) fail("must have map or object type");
        return Object.keys(map).sort(compareCodePoints);
      },
    }),

    values: defineFunction("values", {
      params: [{ name: "mapping", type: "dynamic" }],
      impl: ([map]) => {
        if (!isObject(map)) fail("values() requires a map as the first argument");
        return Object.keys(map)
          .sort(compareCodePoints)
          .map((key) => map[key]);
      },
    }),

    zipmap: defineFunction("zipmap", {
      params: [
        { name: "keys", type: LIST_OF_STRING },
        { name: "values", type: "dynamic" },
      ],
      impl: ([keys, values]) => {
        const names = keys as (string | null)[];
        if (!Array.isArray(values) || isSet(values)) fail("values argument must be a list or tuple value");
        if (names.length !== values.length) fail(`number of keys (${names.length}) does not match number of values (${values.length})`);
        const nullAt = names.indexOf(null);
        if (nullAt !== -1) fail(`keys list has null value at index ${nullAt}`);
        return Object.fromEntries(names.map((name, i) => [name, values[i]]));
      },
    }),

    contains: defineFunction("contains", {
      params: [
        { name: "list", type: "dynamic" },
        { name: "value", type: "dynamic", allowNull: true },
      ],
      impl: ([list, value]) => {
        if (!Array.isArray(list)) fail("argument must be list, tuple, or set");
        if (list.length === 0) return false;
        // Terraform cannot compare with null here: its equality test gives no answer.
        if (value === null) fail("cannot search for a null value");
        return list.some((item) => valuesEqual(item, value));
      },
    }),

    coalesce: defineFunction("coalesce", {
      params: [],
      variadic: { name: "vals", type: "dynamic", allowNull: true },
      impl: (vals) => {
        const type = unifyTypes(vals.map(impliedType));
        if (type === undefined || vals.length === 0) fail("all arguments must have the same type");
        for (const val of vals) {
          const converted = convertToType(val, type);
          if (converted === null || (type.kind === "string" && converted === "")) continue;
          return converted;
        }
        return fail("no non-null, non-empty-string arguments");
      },
    }),

    coalescelist: defineFunction("coalescelist", {
      params: [],
      variadic: { name: "vals", type: "dynamic", allowNull: true },
      impl: (vals) => {
        if (vals.length === 0) fail("at least one argument is required");
        for (const val of vals) {
          // A null of list type is skipped; Terraform refuses only an untyped null literal.
          if (val !== null && (!Array.isArray(val) || isSet(val))) fail("coalescelist arguments must be lists or tuples");
        }
        const found = vals.find((val) => Array.isArray(val) && val.length > 0);
        return found ?? fail("no non-null arguments");
      },
    }),

    sort: defineFunction("sort", {
      params: [{ name: "list", type: LIST_OF_STRING }],
      impl: ([list]) => {
        const items = list as (string | null)[];
        const nullAt = items.indexOf(null);
        if (nullAt !== -1) fail(`given list element ${nullAt} is null; a null string cannot be sorted`);
        return [...(items as string[])].sort(compareCodePoints);
      },
    }),

    distinct: defineFunction("distinct", {
      params: [{ name: "list", type: LIST_OF_ANY }],
      impl: ([list]) => {
        const out: unknown[] = [];
        for (const item of list as unknown[]) if (!out.some((seen) => valuesEqual(seen, item))) out.push(item);
        return out;
      },
    }),

    compact: defineFunction("compact", {
      params: [{ name: "list", type: LIST_OF_STRING }],
      impl: ([list]) => (list as (string | null)[]).filter((item) => item !== null && item !== ""),
    }),

    element: defineFunction("element", {
      params: [
        { name: "list", type: "dynamic" },
        { name: "index", type: NUMBER },
      ],
      impl: ([list, index]) => {
        if (!Array.isArray(list) || isSet(list)) fail(`cannot read elements from ${valueTypeName(list)}`);
        const i = wholeNumber(index, "index");
        if (list.length === 0) fail("cannot use element function with an empty list");
        if (i < 0) fail("cannot use element function with a negative index");
        return list[i % list.length];
      },
    }),

    index: defineFunction("index", {
      params: [
        { name: "list", type: "dynamic" },
        { name: "value", type: "dynamic" },
      ],
      impl: ([list, value]) => {
        if (!Array.isArray(list) || isSet(list)) fail("argument must be a list or tuple");
        if (list.length === 0) fail("cannot search an empty list");
        const at = list.findIndex((item) => valuesEqual(item, value));
        return at === -1 ? fail("item not found") : at;
      },
    }),

    one: defineFunction("one", {
      params: [{ name: "list", type: "dynamic" }],
      impl: ([list]) => {
        if (!Array.isArray(list) || list.length > 1) fail("must be a list, set, or tuple value with either zero or one elements");
        return list.length === 0 ? null : list[0];
      },
    }),

    alltrue: defineFunction("alltrue", {
      params: [{ name: "list", type: LIST_OF_BOOL }],
      impl: ([list]) => (list as (boolean | null)[]).every((item) => item === true),
    }),

    anytrue: defineFunction("anytrue", {
      params: [{ name: "list", type: LIST_OF_BOOL }],
      impl: ([list]) => (list as (boolean | null)[]).some((item) => item === true),
    }),

    reverse: defineFunction("reverse", {
      params: [{ name: "list", type: "dynamic" }],
      impl: ([list]) => {
        if (!Array.isArray(list)) fail(`can only reverse list or tuple values, not ${valueTypeName(list)}`);
        return [...list].reverse();
      },
    }),

    slice: defineFunction("slice", {
      params: [
        { name: "list", type: "dynamic" },
        { name: "start_index", type: NUMBER },
        { name: "end_index", type: NUMBER },
      ],
      impl: ([list, start, end]) => {
        if (isSet(list)) {
          fail("cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important");
        }
        if (!Array.isArray(list)) fail("must be a list or tuple value");
        const from = wholeNumber(start, "start index");
        const to = wholeNumber(end, "end index");
        if (from < 0) fail("start index must not be less than zero");
        if (from > list.length) fail("start index must not be greater than the length of the list");
        if (to < 0) fail("end index must not be less than zero");
        if (to > list.length) fail("end index must not be greater than the length of the list");
        if (from > to) fail("start index must not be greater than end index");
        return list.slice(from, to);
      },
    }),

    chunklist: defineFunction("chunklist", {
      params: [
        { name: "list", type: LIST_OF_ANY },
        { name: "size", type: NUMBER },
      ],
      impl: ([list, sizeArg]) => {
        const items = list as unknown[];
        const size = wholeNumber(sizeArg, "size");
        if (size < 0) fail("the size argument must be positive");
        if (items.length === 0) return [];
        if (size === 0) return [items];
        const chunks: unknown[][] = [];
        for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
        return chunks;
      },
    }),

    matchkeys: defineFunction("matchkeys", {
      params: [
        { name: "values", type: LIST_OF_ANY },
        { name: "keys", type: LIST_OF_ANY },
        { name: "searchset", type: LIST_OF_ANY },
      ],
      impl: ([values, keys, searchset]) => {
        const [valueList, keyList, searchList] = [values, keys, searchset] as unknown[][];
        // Keys and search values are compared once both have one type (`[1, 2]` matches `["2"]`).
        const type = unifyTypes([...keyList!, ...searchList!].map(impliedType));
        if (type === undefined) fail("keys and searchset must be of the same type");
        if (valueList!.length !== keyList!.length) fail("length of keys and values should be equal");
        const wanted = searchList!.map((item) => convertToType(item, type));
        return valueList!.filter((_, i) => wanted.some((w) => valuesEqual(w, convertToType(keyList![i], type))));
      },
    }),

    transpose: defineFunction("transpose", {
      params: [{ name: "values", type: { kind: "map", element: LIST_OF_STRING } }],
      impl: ([values]) => {
        const input = values as Record<string, (string | null)[] | null>;
        // A Map, so keys such as "constructor" are plain keys.
        const output = new Map<string, string[]>();
        for (const key of Object.keys(input).sort(compareCodePoints)) {
          const list = input[key];
          if (list === null || list === undefined) fail("input must not contain null list");
          for (const item of list) {
            if (item === null) fail("input list must not contain null string");
            output.set(item, [...(output.get(item) ?? []), key]);
          }
        }
        return Object.fromEntries([...output].map(([key, list]) => [key, list.sort(compareCodePoints)]));
      },
    }),

    setproduct: defineFunction("setproduct", {
      params: [],
      variadic: { name: "sets", type: "dynamic" },
      impl: (sets) => {
        if (sets.length < 2) fail("at least two arguments are required");
        const columns = sets.map((set) => {
          if (!Array.isArray(set)) fail("a set or a list is required");
          const type = unifyTypes(set.map(impliedType));
          if (type === undefined) fail("all elements must be of the same type");
          return set.map((item) => convertToType(item, type));
        });
        // The last argument varies fastest, as in Terraform.
        let rows: unknown[][] = [[]];
        for (const column of columns) rows = rows.flatMap((row) => column.map((item) => [...row, item]));
        return sets.some(isSet) ? setValue(rows) : rows;
      },
    }),

    setunion: setOperation("setunion", true, (sets) => sets.flat(1)),
    setintersection: setOperation("setintersection", true, ([first, ...others]) =>
      first!.filter((item) => others.every((other) => other.some((o) => valuesEqual(o, item)))),
    ),
    setsubtract: setOperation("setsubtract", false, ([a, b]) => a!.filter((item) => !b!.some((o) => valuesEqual(o, item)))),
  };
}

function flattenInto(list: readonly unknown[], out: unknown[]): unknown[] {
  for (const item of list) {
    if (Array.isArray(item)) flattenInto(item, out);
    else out.push(item);
  }
  return out;
}

/**
 * The set functions: each argument becomes a set, and all must share an
 * element type (`setunion(["a"], [1])` is `["1", "a"]`).
 */
function setOperation(name: string, variadic: boolean, operate: (sets: unknown[][]) => unknown[]): TerraformFunction {
  const param = { name: "sets", type: SET_OF_ANY };
  return defineFunction(name, {
    params: variadic ? [{ name: "first_set", type: SET_OF_ANY }] : [{ name: "a", type: SET_OF_ANY }, { name: "b", type: SET_OF_ANY }],
    variadic: variadic ? param : undefined,
    impl: (sets) => {
      const all = (sets as unknown[][]).flat(1);
      const element = unifyTypes(all.map(impliedType));
      if (element === undefined) fail("given sets must all have compatible element types");
      const converted = (sets as unknown[][]).map((set) => set.map((item) => convertToType(item, element)));
      return setValue(operate(converted));
    },
  });
}
