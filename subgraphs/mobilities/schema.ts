import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../schema/federation';
import { createAuditResolver } from '../shared/audit/audit.resolver';
import { personalReference } from '../shared/personal-reference';
import {
  AssessmentResolver,
  resolveAssessmentReference,
  resolveTranscriptReference,
} from './assessment/assessment.resolver';
import { AssessmentGradingResolver } from './grading/grading.resolver';
import { EventsResolver } from './events/events.resolver';
import { LearningAgreementResolver, resolveAgreementReference } from './learning-agreement/learning-agreement.resolver';
import { MemorandumResolver, resolveMemorandumReference } from './memorandum/memorandum.resolver';
import { resolveUnitReference, UnitAgreementsResolver } from './unit/unit.resolver';
import { CorrespondenceResolver } from './correspondence/correspondence.resolver';
import { MobilityDocumentsResolver, TranscriptDocumentResolver } from './documents/documents.resolver';
import { MobilityStatisticsResolver } from './statistics/statistics.resolver';

export const MOBILITIES_KIND = 'mobilities';

/** The mobilities kind's subgraph schema; it needs no database, so the SDL can be printed from it. */
export function buildMobilitiesSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [
      MemorandumResolver,
      LearningAgreementResolver,
      AssessmentResolver,
      UnitAgreementsResolver,
      EventsResolver,
      createAuditResolver(MOBILITIES_KIND),
      TranscriptDocumentResolver,
      MobilityDocumentsResolver,
      AssessmentGradingResolver,
      CorrespondenceResolver,
      MobilityStatisticsResolver,
    ],
    referenceResolvers: {
      Memorandum: { __resolveReference: personalReference('memorandum', resolveMemorandumReference) },
      LearningAgreement: { __resolveReference: personalReference('learning agreement', resolveAgreementReference) },
      Assessment: { __resolveReference: personalReference('assessment', resolveAssessmentReference) },
      Transcript: { __resolveReference: personalReference('transcript', resolveTranscriptReference) },
      Unit: { __resolveReference: resolveUnitReference },
    },
  });
}
