import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { LocalizedText } from '../localized-text';
import { DateTimeScalar, LocalDateScalar } from '../scalars';
import { MemorandumStatus } from './enums';
import { InstitutionRef, QualificationRef, UnitRef, whenOwnerFails, whenOwnersFail } from './references';

@ObjectType({ description: 'The procedures the partners agree on, as ECVET asks of a Memorandum of Understanding.' })
export class MemorandumProcedures {
  @Field({ description: 'How learners are assessed abroad.' })
  assessment!: string;

  @Field({ description: 'How achievements are documented (e.g. transcript of records, Europass Mobility).' })
  documentation!: string;

  @Field({ description: 'How the competent institution validates what was achieved.' })
  validation!: string;

  @Field({ description: 'How validated achievements are recognised and credited.' })
  recognition!: string;
}

@ObjectType({ description: "A partner's signature of the memorandum's text." })
export class MemorandumSignature {
  @Field(() => ID, { description: 'Code of the signing institution.' })
  institutionId!: string;

  @Field(() => InstitutionRef, {
    nullable: true,
    description: `The signing institution.${whenOwnerFails('institutionId')}`,
  })
  institution!: InstitutionRef;

  @Field({ description: 'Who signed.' })
  signerName!: string;

  @Field({ description: "The signer's position." })
  signerPosition!: string;

  @Field(() => DateTimeScalar, { description: 'When.' })
  signedAt!: string;

  @Field({ description: 'The content hash of the text signed (see Memorandum.contentHash).' })
  contentHash!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A Memorandum of Understanding between competent institutions: the framework for ECVET mobilities between them. ' +
    'Owned by the institution that proposed it; partners sign through the hub. Visible to its partners only.',
})
export class Memorandum {
  @Field(() => ID, { description: 'Hub ID: "<proposer>:<local id>".' })
  id!: string;

  @Field(() => [LocalizedText], { description: 'Titles, one per language.' })
  titles!: LocalizedText[];

  @Field(() => ID, { description: 'Code of the institution that proposed it.' })
  proposerId!: string;

  @Field(() => InstitutionRef, {
    nullable: true,
    description: `The institution that proposed it.${whenOwnerFails('proposerId')}`,
  })
  proposer!: InstitutionRef;

  @Field(() => [ID], { description: 'Codes of every partner, the proposer included.' })
  partnerIds!: string[];

  @Field(() => [InstitutionRef], {
    nullable: 'items',
    description: `Every partner, the proposer included.${whenOwnersFail('partnerIds')}`,
  })
  partners!: InstitutionRef[];

  @Field(() => [ID], { description: 'Hub IDs of the qualifications covered.' })
  qualificationIds!: string[];

  @Field(() => [QualificationRef], {
    nullable: 'items',
    description: `Qualifications covered.${whenOwnersFail('qualificationIds')}`,
  })
  qualifications!: QualificationRef[];

  @Field(() => [ID], { description: 'Hub IDs of the units covered.' })
  unitIds!: string[];

  @Field(() => [UnitRef], { nullable: 'items', description: `Units covered.${whenOwnersFail('unitIds')}` })
  units!: UnitRef[];

  @Field(() => MemorandumProcedures, { description: 'Agreed procedures.' })
  procedures!: MemorandumProcedures;

  @Field(() => LocalDateScalar, { description: 'First day in effect.' })
  validFrom!: string;

  @Field(() => LocalDateScalar, { description: 'Last day in effect.' })
  validUntil!: string;

  @Field(() => MemorandumStatus, { description: 'Where it stands today.' })
  status!: MemorandumStatus;

  @Field({
    description:
      'SHA-256 (hex) of the canonical JSON of the text (titles, partners, items, procedures, validity). Every signature names the hash it signed, so each partner can prove which text it agreed to.',
  })
  contentHash!: string;

  @Field(() => [MemorandumSignature], { description: 'Signatures so far.' })
  signatures!: MemorandumSignature[];

  @Field(() => String, { nullable: true, description: 'Why it was terminated, if it was.' })
  terminationReason!: string | null;
}
