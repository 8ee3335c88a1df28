// What an audit entry changed: its `before` and `after` states (station or token JSON) compared
// field by field. No DOM here: the tests import it.

/** Fields every update changes by itself; an update's diff leaves them out. */
const BOOKKEEPING = new Set(['updated_at']);

/** JSON text of `v` with object keys sorted, so equal values compare equal. */
export function canonical(v) {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const absent = (v) => v === undefined || v === null;

/**
 * The fields an entry changed: `[{ field, before, after }]` (absent values are `null`), in the
 * order the fields first appear in `before`, then `after`. A create (no `before`) or a delete (no
 * `after`) lists every field of the state it has; an update lists the fields whose values differ
 * (leaving out `updated_at`); a summary without states (an import) lists `after`'s fields.
 */
export function diffEntry(before, after) {
  const b = before && typeof before === 'object' ? before : null;
  const a = after && typeof after === 'object' ? after : null;
  if (!b && !a) return [];
  const fields = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])];
  const update = Boolean(b && a);
  const out = [];
  for (const field of fields) {
    const was = b ? b[field] : undefined;
    const now = a ? a[field] : undefined;
    if (update) {
      if (BOOKKEEPING.has(field)) continue;
      if (canonical(absent(was) ? null : was) === canonical(absent(now) ? null : now)) continue;
    } else if (absent(b ? was : now)) {
      continue;
    }
    out.push({ field, before: absent(was) ? null : was, after: absent(now) ? null : now });
  }
  return out;
}

/**
 * The kind of an audit entry's change: `summary` (an import: `after` counts what it did, no
 * states), else `create`, `delete` or `update` by which states it has.
 */
export function changeKind({ operation = '', before = null, after = null }) {
  if (operation.endsWith('.import')) return 'summary';
  if (before && after) return 'update';
  if (after && !before) return 'create';
  if (before && !after) return 'delete';
  return 'summary';
}
