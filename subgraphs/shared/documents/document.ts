import { DocumentFormat, HubDocument } from '../../../schema/documents';

/** What a document is of: the path segment of its download URL and the start of its file name. */
export type DocumentSubject = 'transcript' | 'certificate';

const FORMATS = {
  [DocumentFormat.ELMO]: { extension: 'xml', mediaType: 'application/xml' },
  [DocumentFormat.EDC]: { extension: 'json', mediaType: 'application/vc' },
} as const;

/**
 * The GraphQL view of a document. `downloadUrl` is the hub's plain HTTP route for it,
 * "/documents/<transcript|certificate>/<hub ID>.<xml|json>", relative to the hub's address.
 */
export function hubDocument(
  subject: DocumentSubject,
  hubId: string,
  format: DocumentFormat,
  content: string,
  signedCredential: string | null,
): HubDocument {
  const { extension, mediaType } = FORMATS[format];
  return Object.assign(new HubDocument(), {
    format,
    mediaType,
    fileName: `${subject}-${hubId.replace(/[^A-Za-z0-9._-]/g, '_')}.${extension}`,
    content,
    signedCredential,
    downloadUrl: `/documents/${subject}/${hubId}.${extension}`,
  });
}

/** A credential's JSON text as it is served and signed: two-space indented, with a final newline. */
export const credentialText = (credential: unknown) => `${JSON.stringify(credential, null, 2)}\n`;
