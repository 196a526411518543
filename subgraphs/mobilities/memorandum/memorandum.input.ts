import { Field, ID, InputType } from 'type-graphql';
import { BadUserInputError } from '../../../schema/errors';
import { LOCAL_ID_PATTERN, ownerOf } from '../../../schema/ids';
import { LocalizedTextInput } from '../../../schema/localized-text';
import { LocalDateScalar } from '../../../schema/scalars';
import { checkPattern, checkTexts } from '../../shared/validation';
import { UnitCorrespondenceInput, validateCorrespondences } from '../correspondence/correspondence.input';

@InputType({ description: 'The procedures partners agree on.' })
export class MemorandumProceduresInput {
  @Field({ description: 'How learners are assessed abroad.' })
  assessment!: string;

  @Field({ description: 'How achievements are documented.' })
  documentation!: string;

  @Field({ description: 'How the competent institution validates them.' })
  validation!: string;

  @Field({ description: 'How they are recognised and credited.' })
  recognition!: string;
}

@InputType({ description: "A new Memorandum of Understanding, proposed by the caller's institution." })
export class ProposeMemorandumInput {
  @Field({
    description: "The proposer's own identifier for it (also the retry key: proposing it again is a CONFLICT).",
  })
  localId!: string;

  @Field(() => [LocalizedTextInput], { description: 'Titles, one per language.' })
  titles!: LocalizedTextInput[];

  @Field(() => [ID], { description: 'The other partner institutions (codes); the proposer is a partner anyway.' })
  partners!: string[];

  @Field(() => [ID], { defaultValue: [], description: "Qualifications covered (hub IDs of partners' qualifications)." })
  qualificationIds!: string[];

  @Field(() => [ID], { defaultValue: [], description: "Units covered (hub IDs of partners' units)." })
  unitIds!: string[];

  @Field(() => MemorandumProceduresInput, { description: 'Agreed procedures.' })
  procedures!: MemorandumProceduresInput;

  @Field(() => [UnitCorrespondenceInput], {
    defaultValue: [],
    description:
      "Correspondence table: which partner's units are recognised as which units or outcomes of another partner's covered qualification.",
  })
  correspondences!: UnitCorrespondenceInput[];

  @Field(() => LocalDateScalar, { description: 'First day in effect.' })
  validFrom!: string;

  @Field(() => LocalDateScalar, { description: 'Last day in effect, not before validFrom.' })
  validUntil!: string;
}

@InputType({ description: 'Who signs, for the signing institution.' })
export class SignatureInput {
  @Field({ description: 'Name of the signer.' })
  signerName!: string;

  @Field({ description: "The signer's position." })
  signerPosition!: string;
}

function checkProcedure(field: string, value: string): void {
  if (value.trim() === '') throw new BadUserInputError(`${field} must not be blank`, field);
}

export function validateProposal(input: ProposeMemorandumInput, proposer: string): string[] {
  checkPattern('input.localId', input.localId, LOCAL_ID_PATTERN, 'must be 1-64 letters, digits, ".", "_" or "-"');
  checkTexts('input.titles', input.titles, { maxLength: 300 });
  const partners = [...new Set([proposer, ...input.partners])];
  input.partners.forEach((code, index) => {
    if (ownerOf(code) !== code)
      throw new BadUserInputError(
        `input.partners[${index}] "${code}" is not an institution code`,
        `input.partners[${index}]`,
      );
  });
  if (partners.length < 2)
    throw new BadUserInputError(
      'input.partners must name at least one institution besides the proposer',
      'input.partners',
    );
  for (const [field, ids] of [
    ['input.qualificationIds', input.qualificationIds],
    ['input.unitIds', input.unitIds],
  ] as const) {
    ids.forEach((id, index) => {
      const owner = ownerOf(id);
      if (!owner || !id.includes(':'))
        throw new BadUserInputError(`${field}[${index}] "${id}" is not a hub ID`, `${field}[${index}]`);
      if (!partners.includes(owner))
        throw new BadUserInputError(
          `${field}[${index}] "${id}" belongs to ${owner}, which is not a partner`,
          `${field}[${index}]`,
        );
    });
  }
  if (input.qualificationIds.length + input.unitIds.length === 0) {
    throw new BadUserInputError(
      'input must cover at least one qualification or unit (qualificationIds, unitIds)',
      'input.unitIds',
    );
  }
  if (input.validUntil < input.validFrom) {
    throw new BadUserInputError(
      `input.validUntil (${input.validUntil}) must not be before validFrom (${input.validFrom})`,
      'input.validUntil',
    );
  }
  checkProcedure('input.procedures.assessment', input.procedures.assessment);
  checkProcedure('input.procedures.documentation', input.procedures.documentation);
  checkProcedure('input.procedures.validation', input.procedures.validation);
  checkProcedure('input.procedures.recognition', input.procedures.recognition);
  validateCorrespondences(input.correspondences, partners);
  return partners.sort();
}

export function validateSignature(field: string, signature: SignatureInput): void {
  if (signature.signerName.trim() === '')
    throw new BadUserInputError(`${field}.signerName must not be blank`, `${field}.signerName`);
  if (signature.signerPosition.trim() === '')
    throw new BadUserInputError(`${field}.signerPosition must not be blank`, `${field}.signerPosition`);
}
