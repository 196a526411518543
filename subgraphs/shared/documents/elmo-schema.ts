import { validateXML, type XMLFileInfo } from 'xmllint-wasm';
import { readThirdParty } from './third-party';

/**
 * ELMO validation with libxml2 (as WebAssembly), offline: every schema `schema.xsd` imports is preloaded under
 * its import location, exactly as `third_party/elmo/catalog.xml` maps it, so libxml2 never reaches for the network.
 */
const IMPORTS: ReadonlyArray<readonly [location: string, file: string]> = [
  ['http://www.w3.org/2001/03/xml.xsd', 'xml.xsd'],
  [
    'https://raw.githubusercontent.com/emrex-eu/elmo-schemas/v1/references/xmldsig-core-schema.xsd',
    'xmldsig-core-schema.xsd',
  ],
  [
    'https://raw.githubusercontent.com/emrex-eu/elmo-schemas/v1/references/EUROPASS_ISOCountries_V1.1.xsd',
    'EUROPASS_ISOCountries_V1.1.xsd',
  ],
  [
    'https://raw.githubusercontent.com/erasmus-without-paper/ewp-specs-types-address/stable-v1/schema.xsd',
    'ewp-specs-types-address.xsd',
  ],
  [
    'https://raw.githubusercontent.com/erasmus-without-paper/ewp-specs-architecture/stable-v1/common-types.xsd',
    'ewp-common-types.xsd',
  ],
];

/** The ELMO namespace (v1 branch), the root element's namespace in every valid file. */
export const ELMO_NAMESPACE = 'https://github.com/emrex-eu/elmo-schemas/tree/v1';

export interface ElmoProblem {
  /** Line in the document, when libxml2 names one. */
  line: number | null;
  /** libxml2's message, without the file name. */
  message: string;
}

export interface ElmoValidation {
  valid: boolean;
  problems: ElmoProblem[];
}

let schemaFiles: { schema: XMLFileInfo; preload: XMLFileInfo[] } | null = null;

function loadSchema(): { schema: XMLFileInfo; preload: XMLFileInfo[] } {
  schemaFiles ??= {
    schema: { fileName: 'schema.xsd', contents: readThirdParty('elmo', 'schema.xsd') },
    preload: IMPORTS.map(([location, file]) => ({
      fileName: location,
      contents: readThirdParty('elmo', 'references', file),
    })),
  };
  return schemaFiles;
}

/** Document file names libxml2 reports, so a problem can be traced back to the document it concerns. */
const fileName = (index: number) => `document-${index + 1}.xml`;

/**
 * Validates ELMO documents against `third_party/elmo/schema.xsd` in one libxml2 run (each run starts a worker,
 * so batch where you can). Returns one result per document, in order.
 */
export async function validateElmoDocuments(documents: readonly string[]): Promise<ElmoValidation[]> {
  if (documents.length === 0) return [];
  const { schema, preload } = loadSchema();
  const result = await validateXML({
    xml: documents.map((contents, index) => ({ fileName: fileName(index), contents })),
    schema,
    preload,
  });
  return documents.map((_, index) => {
    const name = fileName(index);
    const problems = result.errors
      .filter((error) => error.loc?.fileName === name)
      .map((error) => ({ line: error.loc?.lineNumber ?? null, message: error.message }));
    const failed = problems.length > 0 || result.rawOutput.includes(`${name} fails to validate`);
    if (failed && problems.length === 0) problems.push({ line: null, message: `${name} fails to validate` });
    return { valid: !failed, problems };
  });
}

export async function validateElmo(document: string): Promise<ElmoValidation> {
  const [result] = await validateElmoDocuments([document]);
  return result as ElmoValidation;
}
