import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../schema/federation';
import { LearningAgreementRef } from '../../schema/recognition/references';
import { createAuditResolver } from '../shared/audit/audit.resolver';
import { personalReference } from '../shared/personal-reference';
import { ComparabilityResolver, UnitEquivalentsResolver } from './comparability/comparability.resolver';
import { AgreementRecognitionResolver, UnitRecognitionsResolver } from './federation/federation.resolver';
import { resolveLearningAgreementReference, resolveUnitReference } from './federation/federation.reference';
import { ValidationResolver } from './validation/validation.resolver';
import { resolveValidationReference } from './validation/validation.reference';
import { DecisionResolver } from './decision/decision.resolver';
import { resolveDecisionReference } from './decision/decision.reference';
import { QualificationProgressResolver, RecordResolver } from './record/record.resolver';
import { CertificateResolver } from './certificate/certificate.resolver';
import { RecognitionEventsResolver } from './events/events.resolver';
import { RouteDecisionResolver } from './routes/route-decision.resolver';
import { CorrespondenceSuggestionResolver } from './correspondence/correspondence.resolver';
import { CertificateDocumentResolver, RecognitionDocumentsResolver } from './documents/documents.resolver';
import { RecognitionStatisticsResolver } from './statistics/statistics.resolver';

export const RECOGNITION_KIND = 'recognition';

/** The recognition kind's subgraph schema; it needs no database, so the SDL can be printed from it. */
export function buildRecognitionSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [
      ValidationResolver,
      DecisionResolver,
      RecordResolver,
      QualificationProgressResolver,
      CertificateResolver,
      RecognitionEventsResolver,
      AgreementRecognitionResolver,
      UnitRecognitionsResolver,
      createAuditResolver(RECOGNITION_KIND),
      ComparabilityResolver,
      UnitEquivalentsResolver,
      CertificateDocumentResolver,
      RecognitionDocumentsResolver,
      CorrespondenceSuggestionResolver,
      RouteDecisionResolver,
      RecognitionStatisticsResolver,
    ],
    extendedEntities: [LearningAgreementRef],
    referenceResolvers: {
      LearningAgreement: {
        __resolveReference: personalReference(
          'recognition record of learning agreement',
          resolveLearningAgreementReference,
        ),
      },
      TranscriptValidation: {
        __resolveReference: personalReference('transcript validation', resolveValidationReference),
      },
      RecognitionDecision: { __resolveReference: personalReference('recognition decision', resolveDecisionReference) },
      Unit: { __resolveReference: resolveUnitReference },
    },
  });
}
