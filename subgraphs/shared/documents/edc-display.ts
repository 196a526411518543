import { concept, ENGLISH, SCHEMES, uris, type Json } from './edc';

/**
 * The display part of a Europass credential: the EDC profile requires an image of each page, so the hub renders
 * the credential's main lines as one SVG page.
 */
const escapeXml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** A one-page rendering of the credential (SVG), which the EDC display parameters require as an image. */
export function renderPage(title: string, lines: readonly string[]): string {
  const height = 160 + lines.length * 26;
  const rows = lines
    .map((line, i) => `<text x="48" y="${140 + i * 26}" font-size="15">${escapeXml(line)}</text>`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="794" height="${height}" viewBox="0 0 794 ${height}" font-family="sans-serif">` +
    `<rect width="794" height="${height}" fill="#fff" stroke="#1f3c88" stroke-width="6"/>` +
    `<text x="48" y="80" font-size="26" font-weight="bold" fill="#1f3c88">${escapeXml(title)}</text>${rows}</svg>`
  );
}

export function displayParameter(
  credentialId: string,
  title: string,
  description: string,
  lines: readonly string[],
): Json {
  return {
    id: uris.node(credentialId, 'display', 1),
    type: 'DisplayParameter',
    title: { en: [title] },
    description: { en: [description] },
    language: [ENGLISH],
    primaryLanguage: ENGLISH,
    individualDisplay: [
      {
        type: 'IndividualDisplay',
        language: ENGLISH,
        displayDetail: [
          {
            type: 'DisplayDetail',
            page: 1,
            image: {
              type: 'MediaObject',
              contentType: concept(`${SCHEMES.fileType}/SVG`, SCHEMES.fileType, 'SVG'),
              contentEncoding: concept('http://data.europa.eu/snb/encoding/6146cde7dd', SCHEMES.encoding, 'base64'),
              content: Buffer.from(renderPage(title, lines), 'utf8').toString('base64'),
            },
          },
        ],
      },
    ],
  };
}
