import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '../../schema/federation';
import { createAuditResolver } from '../shared/audit/audit.resolver';
import { GradingScaleResolver, InstitutionGradingScalesResolver } from './grading-scale/grading-scale.resolver';
import { resolveGradingScaleReference } from './grading-scale/grading-scale.reference';
import { resolveInstitutionReference } from './institution/institution.reference';
import { InstitutionResolver } from './institution/institution.resolver';
import { resolveLearningOutcomeReference } from './learning-outcome/learning-outcome.reference';
import { LearningOutcomeResolver } from './learning-outcome/learning-outcome.resolver';
import { resolveQualificationReference } from './qualification/qualification.reference';
import { QualificationResolver } from './qualification/qualification.resolver';
import { resolveUnitReference } from './unit/unit.reference';
import { UnitResolver } from './unit/unit.resolver';
import { LearningOutcomeReviewResolver } from './learning-outcome-review/review.resolver';
import { UnitOutcomeReviewResolver } from './learning-outcome-review/unit-review';

export const QUALIFICATIONS_KIND = 'qualifications';

/** The qualifications kind's subgraph schema; it needs no database, so the SDL can be printed from it. */
export function buildQualificationsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [
      InstitutionResolver,
      QualificationResolver,
      UnitResolver,
      LearningOutcomeResolver,
      LearningOutcomeReviewResolver,
      UnitOutcomeReviewResolver,
      createAuditResolver(QUALIFICATIONS_KIND),
      GradingScaleResolver,
      InstitutionGradingScalesResolver,
    ],
    referenceResolvers: {
      Institution: { __resolveReference: resolveInstitutionReference },
      Qualification: { __resolveReference: resolveQualificationReference },
      Unit: { __resolveReference: resolveUnitReference },
      LearningOutcome: { __resolveReference: resolveLearningOutcomeReference },
      GradingScale: { __resolveReference: resolveGradingScaleReference },
    },
  });
}
