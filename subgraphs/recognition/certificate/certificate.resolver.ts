import { Arg, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { CertificateStatement } from '../../../schema/recognition/recognition';
import type { RecognitionContext } from '../context';
import { verifyCertificate } from '../documents/verify.service';
import { toStatement } from './certificate.mapper';
import { issueCertificate, revokeCertificate } from './certificate.service';

@Resolver()
export class CertificateResolver {
  @Directive('@owner(argument: "learnerId")')
  @Mutation(() => CertificateStatement, {
    description:
      'Issues the certificate of the units credited towards a qualification (at least one recognised, not only achieved at home), each ' +
      'with where it was achieved, with a verification code anyone can check. Once every unit is credited, its Europass credential ' +
      'states the qualification with its units as parts.',
  })
  async issueCertificate(
    @Arg('learnerId', () => ID, { description: 'The learner.' }) learnerId: string,
    @Arg('qualificationId', () => ID, { description: 'The home qualification.' }) qualificationId: string,
    @Ctx() context: RecognitionContext,
  ): Promise<CertificateStatement> {
    return toStatement(await issueCertificate(context, learnerId, qualificationId), context.institution);
  }

  @Directive('@owner(argument: "code")')
  @Query(() => CertificateStatement, {
    nullable: true,
    description: 'Public: what the certificate with this verification code states, or null if there is none.',
  })
  async verifyCertificate(
    @Arg('code', { description: 'The code printed on the certificate, e.g. "rvt.lv:K7QP-2M9X-WD4H".' }) code: string,
    @Arg('credential', () => String, {
      nullable: true,
      description:
        'Optionally, the signed credential (compact JWS) of the certificate, to check as well: see `credentialCheck`.',
    })
    credential: string | null | undefined,
    @Ctx() context: RecognitionContext,
  ): Promise<CertificateStatement | null> {
    return verifyCertificate(context, code, credential);
  }

  @Directive('@owner(argument: "code")')
  @Mutation(() => CertificateStatement, {
    description:
      "Revokes a certificate (its institution's coordinators): its credentials stop verifying. The learner's credits stay.",
  })
  async revokeCertificate(
    @Arg('code', { description: 'The verification code, e.g. "rvt.lv:K7QP-2M9X-WD4H".' }) code: string,
    @Arg('reason', { description: 'Why it is revoked.' }) reason: string,
    @Ctx() context: RecognitionContext,
  ): Promise<CertificateStatement> {
    return toStatement(await revokeCertificate(context, code, reason), context.institution);
  }
}
