import { Field, ID, InputType } from 'type-graphql';
import { BadUserInputError } from '../../../schema/errors';
import { ownerOf } from '../../../schema/ids';
import { CorrespondenceCoverage } from '../../../schema/mobility/correspondence';

@InputType({ description: "One line of a memorandum's correspondence table." })
export class UnitCorrespondenceInput {
  @Field(() => [ID], { description: 'Units achieved at the host (hub IDs), all of one partner, at least one.' })
  hostUnitIds!: string[];

  @Field(() => [ID], {
    description: "Home units they are recognised as (hub IDs), all of another partner's covered qualifications.",
  })
  homeUnitIds!: string[];

  @Field(() => [ID], {
    defaultValue: [],
    description: 'For PARTIAL coverage (then at least one): learning outcomes of the home units covered.',
  })
  homeOutcomeIds!: string[];

  @Field(() => CorrespondenceCoverage, { description: 'Whole home units or named outcomes of them.' })
  coverage!: CorrespondenceCoverage;
}

@InputType({
  description: "The home unit(s) or outcomes of the learner's home qualification an agreed unit is recognised as.",
})
export class RecognitionTargetInput {
  @Field(() => [ID], { description: 'Units of the home qualification (hub IDs), at least one.' })
  homeUnitIds!: string[];

  @Field(() => [ID], {
    defaultValue: [],
    description: 'For PARTIAL coverage (then at least one): learning outcomes of those units.',
  })
  homeOutcomeIds!: string[];

  @Field(() => CorrespondenceCoverage, { description: 'Whole home units or named outcomes of them.' })
  coverage!: CorrespondenceCoverage;
}

function checkIds(field: string, ids: readonly string[], atLeastOne: boolean): void {
  if (atLeastOne && ids.length === 0) throw new BadUserInputError(`${field} must name at least one`, field);
  ids.forEach((id, index) => {
    if (!ownerOf(id) || !id.includes(':'))
      throw new BadUserInputError(`${field}[${index}] "${id}" is not a hub ID`, `${field}[${index}]`);
  });
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated) throw new BadUserInputError(`${field} names ${repeated} twice`, field);
}

/** Outcomes go with PARTIAL coverage and only with it: the rule the recognition applies later. */
export function checkCoverage(
  field: string,
  input: Pick<RecognitionTargetInput, 'homeUnitIds' | 'homeOutcomeIds' | 'coverage'>,
): void {
  checkIds(`${field}.homeUnitIds`, input.homeUnitIds, true);
  checkIds(`${field}.homeOutcomeIds`, input.homeOutcomeIds, false);
  if (input.coverage === CorrespondenceCoverage.PARTIAL && input.homeOutcomeIds.length === 0)
    throw new BadUserInputError(
      `${field}.homeOutcomeIds must name the home learning outcomes a PARTIAL correspondence covers`,
      `${field}.homeOutcomeIds`,
    );
  if (input.coverage === CorrespondenceCoverage.FULL && input.homeOutcomeIds.length > 0)
    throw new BadUserInputError(
      `${field}.homeOutcomeIds must be empty for FULL coverage (it covers the whole home units)`,
      `${field}.homeOutcomeIds`,
    );
}

/** The rules that need no other shard: hub IDs, each side all of one partner, the two sides of different partners. */
export function validateCorrespondences(
  correspondences: readonly UnitCorrespondenceInput[],
  partners: readonly string[],
): void {
  correspondences.forEach((line, index) => {
    const field = `input.correspondences[${index}]`;
    checkIds(`${field}.hostUnitIds`, line.hostUnitIds, true);
    checkCoverage(field, line);
    for (const [side, ids] of [
      ['hostUnitIds', line.hostUnitIds],
      ['homeUnitIds', line.homeUnitIds],
    ] as const) {
      ids.forEach((id, at) => {
        const owner = ownerOf(id) ?? '';
        if (!partners.includes(owner))
          throw new BadUserInputError(
            `${field}.${side}[${at}] "${id}" is a unit of ${owner}, which is not a partner of the memorandum`,
            `${field}.${side}[${at}]`,
          );
        if (owner !== ownerOf(ids[0] ?? ''))
          throw new BadUserInputError(
            `${field}.${side} must all be units of one partner (${id} is not ${ownerOf(ids[0] ?? '')}'s)`,
            `${field}.${side}[${at}]`,
          );
      });
    }
    if (ownerOf(line.hostUnitIds[0] ?? '') === ownerOf(line.homeUnitIds[0] ?? ''))
      throw new BadUserInputError(
        `${field}.homeUnitIds must be units of another partner than the host units`,
        `${field}.homeUnitIds`,
      );
  });
}
