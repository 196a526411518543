import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { LocalizedText } from '../localized-text';
import { DateTimeScalar, LocalDateScalar } from '../scalars';
import { MemorandumStatus } from './enums';
import { InstitutionRef, QualificationRef, UnitRef } from './references';

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
  @Field(() => InstitutionRef, { description: 'The signing institution.' })
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

  @Field(() => InstitutionRef, { description: 'The institution that proposed it.' })
  proposer!: InstitutionRef;

  @Field(() => [InstitutionRef], { description: 'Every partner, the proposer included.' })
  partners!: InstitutionRef[];

  @Field(() => [QualificationRef], { description: 'Qualifications covered.' })
  qualifications!: QualificationRef[];

  @Field(() => [UnitRef], { description: 'Units covered.' })
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
