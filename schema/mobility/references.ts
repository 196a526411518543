import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * Entities of the qualifications kind as the mobilities kind sees them: by key only. The gateway fetches
 * their other fields from the owners' qualifications shards. `Unit` is also resolvable here, because this
 * kind adds `Unit.learningAgreements`.
 */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Institution', { description: 'An institution of the federation.' })
export class InstitutionRef {
  @Field(() => ID, { description: 'The institution code.' })
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Qualification', { description: 'A qualification described in units of learning outcomes.' })
export class QualificationRef {
  @Field(() => ID, { description: 'Hub ID of the qualification.' })
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('LearningOutcome', { description: 'A learning outcome of a unit.' })
export class LearningOutcomeRef {
  @Field(() => ID, { description: 'Hub ID of the learning outcome.' })
  id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType('Unit', { description: 'A unit of learning outcomes.' })
export class UnitRef {
  @Field(() => ID, { description: 'Hub ID of the unit.' })
  id!: string;
}

export const ref = <T extends { id: string }>(Type: new () => T, id: string): T => Object.assign(new Type(), { id });

/**
 * Description endings for fields that point at another kind's entity. The gateway fetches the entity from its owner's
 * shard; when that shard cannot answer, only this field is null (it is nullable for that reason), and the ID field next
 * to it still carries what the owner of the record stored.
 */
export const whenOwnerFails = (idField: string): string =>
  ` Null when the owning institution's qualifications shard cannot answer (an error names the institution); \`${idField}\` still gives its ID.`;

export const whenOwnersFail = (idsField: string): string =>
  ` An entry is null when its owning institution's qualifications shard cannot answer (an error names the institution); \`${idsField}\` gives the IDs in the same order.`;
