// A few lines instead of a framework: build elements from tag, attributes and children.

/**
 * Creates `<tag>` with `attrs` — `on…` functions become event listeners, `true`/`false` set or
 * omit boolean attributes, `null`/`undefined` are skipped — and appends `children` (strings become
 * text; arrays are flattened; null is skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Removes every child of `el`. */
export function clear(el) {
  el.replaceChildren();
}

/** Appends `kids` to `el` like `h()` does: strings as text, arrays flattened, null/false skipped. */
export function put(el, ...kids) {
  append(el, kids);
}
