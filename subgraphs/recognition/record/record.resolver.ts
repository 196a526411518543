import { Arg, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { QualificationRef, ref } from '../../../schema/mobility/references';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import {
  CertificateStatement,
  Credit,
  LearnerRecord,
  QualificationProgress,
  RecognitionDecision,
  TranscriptValidation,
} from '../../../schema/recognition/recognition';
import { ownLocalId } from '../../shared/local-id';
import type { RecognitionContext } from '../context';
import { HomeCreditInput, RecognizeUnitsInput, ReviseRecognitionInput } from '../decision/decision.input';
import { recognizeUnits, recordHomeCredit, reviseRecognition } from '../decision/decision.service';
import { CertificateRecord } from '../validation/validation.entity';
import { validateTranscript } from '../validation/validation.service';
import { toCredit, toDecision, toPublicStatement, toStatement, toValidation } from './record.mapper';
import { checkCertificateCredential } from '../documents/verify.service';
import { issueCertificate, loadLearnerRecord } from './record.service';

@Resolver()
export class RecognitionResolver {
  @Directive('@owner(argument: "learningAgreementId")')
  @Mutation(() => TranscriptValidation, { description: "Checks the issued transcript against the agreement version it refers to and stores the findings (sending institution's coordinators)." })
  async validateTranscript(
    @Arg('learningAgreementId', () => ID, { description: 'Hub ID of the learning agreement.' }) learningAgreementId: string,
    @Ctx() context: RecognitionContext,
  ): Promise<TranscriptValidation> {
    return toValidation(await validateTranscript(context, learningAgreementId), context.institution);
  }

  @Directive('@owner(argument: "input.learningAgreementId")')
  @Mutation(() => [RecognitionDecision], { description: 'Decides on units of a validated transcript; recognised units are credited. Idempotent under `idempotencyKey`.' })
  async recognizeUnits(@Arg('input', () => RecognizeUnitsInput) input: RecognizeUnitsInput, @Ctx() context: RecognitionContext): Promise<RecognitionDecision[]> {
    return (await recognizeUnits(context, input)).map((d) => toDecision(d, context.institution));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => RecognitionDecision, { description: 'Revises a decision, with a reason; the earlier decision stays in its history.' })
  async reviseRecognition(
    @Arg('id', () => ID, { description: 'Hub ID of the decision.' }) id: string,
    @Arg('input', () => ReviseRecognitionInput) input: ReviseRecognitionInput,
    @Ctx() context: RecognitionContext,
  ): Promise<RecognitionDecision> {
    return toDecision(await reviseRecognition(context, id, input), context.institution);
  }

  @Directive('@owner(argument: "input.learnerId")')
  @Mutation(() => Credit, { description: 'Credits a unit the learner achieved at home.' })
  async recordHomeCredit(@Arg('input', () => HomeCreditInput) input: HomeCreditInput, @Ctx() context: RecognitionContext): Promise<Credit> {
    return toCredit(await recordHomeCredit(context, input), context.institution);
  }

  @Directive('@owner(argument: "learnerId")')
  @Mutation(() => CertificateStatement, { description: 'Issues the certificate of units recognised from abroad towards a qualification, with a verification code anyone can check.' })
  async issueCertificate(
    @Arg('learnerId', () => ID, { description: 'The learner.' }) learnerId: string,
    @Arg('qualificationId', () => ID, { description: 'The home qualification.' }) qualificationId: string,
    @Ctx() context: RecognitionContext,
  ): Promise<CertificateStatement> {
    return toStatement(await issueCertificate(context, learnerId, qualificationId), context.institution);
  }

  @Directive('@owner(argument: "learnerId")')
  @Query(() => LearnerRecord, { description: "A learner's credits, progress per qualification and certificates; for the sending institution's staff and the learner." })
  async learnerRecord(@Arg('learnerId', () => ID, { description: 'The learner ID.' }) learnerId: string, @Ctx() context: RecognitionContext): Promise<LearnerRecord> {
    const data = await loadLearnerRecord(context, learnerId);
    const qualificationIds = [...new Set([...data.credits.map((c) => c.qualificationId), ...data.qualifications.keys()])];
    return Object.assign(new LearnerRecord(), {
      learnerId,
      qualifications: qualificationIds.map((id) => {
        const credits = data.credits.filter((c) => c.qualificationId === id);
        const qualification = data.qualifications.get(id);
        const accumulated = credits.reduce((sum, c) => sum + c.ecvetPoints, 0);
        const required = qualification?.ecvetPoints ?? 0;
        const credited = new Set(credits.map((c) => c.unitId));
        return Object.assign(new QualificationProgress(), {
          qualification: ref(QualificationRef, id),
          requiredEcvetPoints: required,
          accumulatedEcvetPoints: accumulated,
          missingEcvetPoints: Math.max(0, required - accumulated),
          credits: credits.map((c) => toCredit(c, context.institution)),
          missingUnits: (qualification?.units ?? []).filter((u) => u.status === 'ACTIVE' && !credited.has(u.id)).map((u) => ref(RecognitionUnitRef, u.id)),
        });
      }),
      decisions: data.decisions.map((d) => toDecision(d, context.institution)),
      certificates: data.certificates.map((c) => toStatement(c, context.institution)),
    });
  }

  @Directive('@owner(argument: "code")')
  @Query(() => CertificateStatement, { nullable: true, description: 'Public: what the certificate with this verification code states, or null if there is none.' })
  async verifyCertificate(
    @Arg('code', { description: 'The code printed on the certificate, e.g. "rvt.lv:K7QP-2M9X-WD4H".' }) code: string,
    @Arg('credential', () => String, { nullable: true, description: 'Optionally, the signed credential (compact JWS) of the certificate, to check as well: see `credentialCheck`.' })
    credential: string | null | undefined,
    @Ctx() context: RecognitionContext,
  ): Promise<CertificateStatement | null> {
    const localId = ownLocalId(context.institution, code, 'code');
    const record = localId === null ? null : await context.db.dataSource.manager.findOneBy(CertificateRecord, { code: localId });
    if (!record) return null;
    const statement = toPublicStatement(record, context.institution);
    if (credential) statement.credentialCheck = await checkCertificateCredential(context, statement.code, credential);
    return statement;
  }
}
