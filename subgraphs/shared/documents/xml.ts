/**
 * A small XML writer: elements as data, rendered with two-space indentation and escaped text. Enough for the
 * documents the hub writes (ELMO), with no dependency and output whose line numbers stay readable.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: Array<XmlElement | string>;
}

type Child = XmlElement | string | number | null | undefined | false | Child[];

/** An element; null, undefined and false children are left out, arrays are flattened, numbers written as text. */
export function el(
  name: string,
  attributes: Record<string, string | number | null | undefined> = {},
  ...children: Child[]
): XmlElement {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes))
    if (value !== null && value !== undefined) kept[key] = String(value);
  const flat: Array<XmlElement | string> = [];
  const add = (child: Child) => {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(add);
    else flat.push(typeof child === 'number' ? String(child) : child);
  };
  children.forEach(add);
  return { name, attributes: kept, children: flat };
}

// XML 1.0 forbids most control characters even when escaped: drop them.
// eslint-disable-next-line no-control-regex -- matching control characters is this expression's job
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeText(text: string): string {
  return text.replace(FORBIDDEN, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;')
    .replace(/\r/g, '&#13;');
}

function render(element: XmlElement, indent: string, out: string[]): void {
  const attributes = Object.entries(element.attributes)
    .map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`)
    .join('');
  const open = `${indent}<${element.name}${attributes}`;
  if (element.children.length === 0) {
    out.push(`${open}/>`);
  } else if (element.children.every((child) => typeof child === 'string')) {
    out.push(`${open}>${element.children.map((child) => escapeText(child)).join('')}</${element.name}>`);
  } else {
    out.push(`${open}>`);
    for (const child of element.children) {
      if (typeof child === 'string') out.push(`${indent}  ${escapeText(child)}`);
      else render(child, `${indent}  `, out);
    }
    out.push(`${indent}</${element.name}>`);
  }
}

/** The document: XML declaration, then the root element. */
export function renderXml(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  render(root, '', out);
  return `${out.join('\n')}\n`;
}
