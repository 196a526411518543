import { BadUserInputError } from '../../../schema/errors';

/**
 * What an uploaded XML document must be before any parser sees it. libxml2 and fast-xml-parser both know
 * DTDs: a DOCTYPE can declare entities that expand a few bytes into gigabytes (billion laughs), read files or
 * URLs (external and parameter entities), and XInclude can pull in other files. Hub documents need none of
 * it, so these are refused by a plain scan of the text, whose cost grows with the text and nothing else.
 */

/** Largest XML document accepted, in UTF-8 bytes (below the hub's 1,000,000-byte request limit). */
export const MAX_XML_BYTES = 500_000;

/** Which rule a refused document broke, in `extensions.rule`. */
export type XmlInputRule = 'size' | 'encoding' | 'doctype' | 'entity' | 'xinclude';

const DECLARED_ENCODING = /^\uFEFF?<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']/;
const UTF8 = /^utf-?8$/i;
const ENTITY_DECLARATION = /<!ENTITY\s+(%\s*)?([^\s>]{0,64})\s*(SYSTEM|PUBLIC)?/i;
const DOCTYPE = /<!DOCTYPE/i;
const PREDEFINED = new Set(['lt', 'gt', 'amp', 'apos', 'quot']);
// A named reference; character references (&#10;) start with '#' and are not entities.
const ENTITY_REFERENCE = /&([A-Za-z_:][\w.:-]{0,63});/g;
const XINCLUDE = /http:\/\/www\.w3\.org\/200[13]\/XInclude/;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}

function refuse(field: string, rule: XmlInputRule, message: string, line?: number): never {
  throw new BadUserInputError(`${field} ${message}`, field, { rule, ...(line === undefined ? {} : { line }) });
}

/** Throws BAD_USER_INPUT naming `field` and the rule unless `document` is plain UTF-8 XML within the size limit. */
export function checkXmlInput(field: string, document: string, maxBytes = MAX_XML_BYTES): void {
  // Every character takes at least one byte: the length alone refuses most oversized documents without a count.
  const bytes = document.length > maxBytes ? document.length : Buffer.byteLength(document, 'utf8');
  if (bytes > maxBytes)
    refuse(field, 'size', `is larger than ${maxBytes} bytes: an XML document may be at most ${maxBytes} bytes (UTF-8)`);

  const encoding = DECLARED_ENCODING.exec(document)?.[1];
  if (encoding !== undefined && !UTF8.test(encoding)) {
    refuse(field, 'encoding', `declares the encoding "${encoding.slice(0, 40)}": only UTF-8 XML is accepted`, 1);
  }

  const entity = ENTITY_DECLARATION.exec(document);
  if (entity) {
    const kind = entity[1] ? 'a parameter' : entity[3] ? 'an external' : 'an internal';
    refuse(
      field,
      'entity',
      `declares ${kind} entity "${entity[1] ? '%' : ''}${entity[2] ?? ''}": XML input may declare no entities (no DOCTYPE or DTD)`,
      lineAt(document, entity.index),
    );
  }
  const doctype = DOCTYPE.exec(document);
  if (doctype) refuse(field, 'doctype', 'has a DOCTYPE: XML input may carry no DTD', lineAt(document, doctype.index));

  for (const reference of document.matchAll(ENTITY_REFERENCE)) {
    const name = reference[1] ?? '';
    if (!PREDEFINED.has(name)) {
      refuse(
        field,
        'entity',
        `refers to the entity "&${name};": only &lt; &gt; &amp; &apos; &quot; and character references are accepted`,
        lineAt(document, reference.index),
      );
    }
  }

  const xinclude = XINCLUDE.exec(document);
  if (xinclude)
    refuse(
      field,
      'xinclude',
      'uses XInclude: XML input may include no other documents',
      lineAt(document, xinclude.index),
    );
}
