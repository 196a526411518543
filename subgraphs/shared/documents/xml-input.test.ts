import { GraphQLError } from 'graphql';
import { checkXmlInput, MAX_XML_BYTES } from './xml-input';

function refusal(document: string): { message: string; extensions: Record<string, unknown> } {
  try {
    checkXmlInput('document', document);
  } catch (error) {
    if (error instanceof GraphQLError) return { message: error.message, extensions: error.extensions };
    throw error;
  }
  throw new Error('accepted');
}

const BODY =
  '<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1"><title>A &amp; B&#10;&#x41;</title></elmo>';

describe('checkXmlInput', () => {
  test('accepts plain UTF-8 XML with predefined entities and character references', () => {
    expect(() => checkXmlInput('document', `<?xml version="1.0" encoding="UTF-8"?>\n${BODY}`)).not.toThrow();
    expect(() => checkXmlInput('document', `\uFEFF<?xml version='1.0' encoding='utf8'?>${BODY}`)).not.toThrow();
    expect(() => checkXmlInput('document', BODY)).not.toThrow();
  });

  test.each([
    ['internal', '<!DOCTYPE a [\n<!ENTITY lol "lol">\n]><a>&lol;</a>', 'declares an internal entity "lol"', 2],
    [
      'external',
      '<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>',
      'declares an external entity "xxe"',
      1,
    ],
    [
      'public',
      '<!DOCTYPE a [<!ENTITY xxe PUBLIC "-//x" "http://example.org/x">]><a/>',
      'declares an external entity "xxe"',
      1,
    ],
    [
      'parameter',
      '<!DOCTYPE a [\n\n<!ENTITY % p SYSTEM "http://example.org/p.dtd"> %p;]><a/>',
      'declares a parameter entity "%p"',
      3,
    ],
  ])('refuses an entity declaration (%s) with its line', (_kind, document, message, line) => {
    const error = refusal(document);
    expect(error.message).toBe(`document ${message}: XML input may declare no entities (no DOCTYPE or DTD)`);
    expect(error.extensions).toEqual(
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'document', rule: 'entity', line }),
    );
  });

  test('refuses a DOCTYPE, even one declaring nothing, and a reference to an undeclared entity', () => {
    expect(
      refusal('<?xml version="1.0"?>\n<!DOCTYPE elmo SYSTEM "http://example.org/elmo.dtd">\n<elmo/>').extensions,
    ).toEqual(expect.objectContaining({ rule: 'doctype', line: 2 }));
    const reference = refusal(`<a>\n&nbsp;</a>`);
    expect(reference.message).toBe(
      'document refers to the entity "&nbsp;": only &lt; &gt; &amp; &apos; &quot; and character references are accepted',
    );
    expect(reference.extensions).toEqual(expect.objectContaining({ rule: 'entity', line: 2 }));
  });

  test('refuses XInclude', () => {
    const error = refusal(
      '<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/></a>',
    );
    expect(error.message).toBe('document uses XInclude: XML input may include no other documents');
    expect(error.extensions.rule).toBe('xinclude');
  });

  test('refuses a declared encoding other than UTF-8', () => {
    for (const encoding of ['ISO-8859-1', 'UTF-16', 'windows-1252']) {
      const error = refusal(`<?xml version="1.0" encoding="${encoding}"?>${BODY}`);
      expect(error.message).toBe(`document declares the encoding "${encoding}": only UTF-8 XML is accepted`);
      expect(error.extensions.rule).toBe('encoding');
    }
  });

  test('refuses more than the limit in UTF-8 bytes, however few characters', () => {
    expect(() => checkXmlInput('document', `<a>${'x'.repeat(MAX_XML_BYTES - 7)}</a>`)).not.toThrow();
    const multibyte = `<a>${'ā'.repeat(MAX_XML_BYTES / 2)}</a>`;
    expect(multibyte.length).toBeLessThan(MAX_XML_BYTES);
    expect(refusal(multibyte).extensions.rule).toBe('size');
    expect(refusal(`<a>${'x'.repeat(MAX_XML_BYTES)}</a>`).message).toBe(
      `document is larger than ${MAX_XML_BYTES} bytes: an XML document may be at most ${MAX_XML_BYTES} bytes (UTF-8)`,
    );
  });

  test('billion laughs is refused at once, nothing expanded', () => {
    const entities = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join(
      '\n',
    );
    const laughs = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n${entities}\n]>\n<lolz>&lol10;</lolz>`;
    const started = process.hrtime.bigint();
    expect(refusal(laughs).extensions.rule).toBe('entity');
    // Expanded, it would be 3 × 10^10 characters: a second is far from that, and far above a busy machine's pauses.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1_000);
  });
});
