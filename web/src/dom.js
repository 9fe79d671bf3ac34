// Tiny DOM builder. Contract: every string child becomes a Text node and every attribute is set
// with setAttribute, so data from the API can never be parsed as HTML. There is deliberately no
// way to pass markup: nothing in the dashboard uses innerHTML.

/**
 * h('a', {href: '#/ips', class: 'link', 'data-x': 1}, 'text', otherNode, [more, nodes])
 * Attributes with null/undefined/false values are skipped; `true` sets an empty attribute.
 * Keys starting with "on" take functions and become event listeners (never inline handlers).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2).toLowerCase(), value);
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

/** Appends strings (as text), numbers (as text), nodes and nested arrays; skips null/false. */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
  return parent;
}

/** Removes every child of el. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}
