import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../schema/federation';
import { LearningAgreementRef } from '../../schema/recognition/references';
import { createAuditResolver } from '../shared/audit/audit.resolver';
import { ComparabilityResolver, UnitEquivalentsResolver } from './comparability/comparability.resolver';
import {
  AgreementRecognitionResolver,
  resolveLearningAgreementReference,
  resolveUnitReference,
  UnitRecognitionsResolver,
} from './federation/federation.resolver';
import { RecognitionEventsResolver } from './events/events.resolver';
import { RecognitionResolver } from './record/record.resolver';
import { CertificateDocumentResolver, RecognitionDocumentsResolver } from './documents/documents.resolver';

export const RECOGNITION_KIND = 'recognition';

/** The recognition kind's subgraph schema; it needs no database, so the SDL can be printed from it. */
export function buildRecognitionSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [
      RecognitionResolver,
      RecognitionEventsResolver,
      AgreementRecognitionResolver,
      UnitRecognitionsResolver,
      createAuditResolver(RECOGNITION_KIND),
      ComparabilityResolver,
      UnitEquivalentsResolver,
      CertificateDocumentResolver,
      RecognitionDocumentsResolver,
    ],
    extendedEntities: [LearningAgreementRef],
    referenceResolvers: {
      LearningAgreement: { __resolveReference: resolveLearningAgreementReference },
      Unit: { __resolveReference: resolveUnitReference },
    },
  });
}
