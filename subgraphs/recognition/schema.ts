import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../schema/federation';
import { LearningAgreementRef } from '../../schema/recognition/references';
import { createAuditResolver } from '../shared/audit/audit.resolver';
import { personalReference } from '../shared/personal-reference';
import { ComparabilityResolver, UnitEquivalentsResolver } from './comparability/comparability.resolver';
import {
  AgreementRecognitionResolver,
  resolveDecisionReference,
  resolveLearningAgreementReference,
  resolveUnitReference,
  resolveValidationReference,
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
      LearningAgreement: { __resolveReference: personalReference('recognition record of learning agreement', resolveLearningAgreementReference) },
      TranscriptValidation: { __resolveReference: personalReference('transcript validation', resolveValidationReference) },
      RecognitionDecision: { __resolveReference: personalReference('recognition decision', resolveDecisionReference) },
      Unit: { __resolveReference: resolveUnitReference },
    },
  });
}
