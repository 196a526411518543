import { BadUserInputError, ConflictError, NotFoundError } from '../../../schema/errors';
import { MemorandumStatus } from '../../../schema/mobility/enums';
import type { MobilitiesContext } from '../context';
import type { AgreementTermsInput } from './learning-agreement.input';

interface HubUnit {
  id: string;
  ecvetPoints: number;
  status: string;
  qualification: { id: string };
  learningOutcomes: Array<{ id: string }>;
}

interface HubMemorandum {
  status: MemorandumStatus;
  validFrom: string;
  validUntil: string;
  partnerIds: string[];
  unitIds: string[];
  qualificationIds: string[];
}

/**
 * Checks an agreement's terms against what other shards own, through the hub: the memorandum (in effect,
 * both institutions partners, the period inside its validity, every unit covered) and each unit (active,
 * the same ECVET points, outcomes that belong to it). Returns every unit's learning outcomes.
 */
export async function checkTermsAgainstHub(
  context: MobilitiesContext,
  memorandumId: string,
  parties: { sending: string; hosting: string },
  terms: AgreementTermsInput,
  field = 'input.terms',
): Promise<Map<string, string[]>> {
  if (!context.hub)
    throw new ConflictError(
      'This shard was started without HUB_URL, so it cannot check agreements against memoranda and units',
    );
  const unitVariables = terms.units.map((_, index) => `$u${index}: ID!`).join(', ');
  const unitFields = terms.units
    .map(
      (_, index) =>
        `u${index}: unit(id: $u${index}) { id ecvetPoints status qualification { id } learningOutcomes { id } }`,
    )
    .join('\n');
  const query = `query AgreementCheck($m: ID!${unitVariables ? `, ${unitVariables}` : ''}) {
    memorandum(id: $m) { status validFrom validUntil partnerIds unitIds qualificationIds }
    ${unitFields}
  }`;
  const variables: Record<string, unknown> = { m: memorandumId };
  terms.units.forEach((unit, index) => {
    variables[`u${index}`] = unit.unitId;
  });
  const answer = await context.hub.request<Record<string, unknown>>(query, variables);
  const memorandum = answer.data?.memorandum as HubMemorandum | null | undefined;
  if (!memorandum) {
    const why =
      answer.errors.find((e) => e.path === undefined || e.path[0] === 'memorandum')?.message ?? 'it does not exist';
    throw new ConflictError(`memorandumId ${memorandumId} cannot be used: ${why}`, { field: 'input.memorandumId' });
  }
  if (memorandum.status !== MemorandumStatus.IN_EFFECT) {
    throw new ConflictError(
      `Memorandum ${memorandumId} is ${memorandum.status}: a learning agreement needs one in effect`,
      { field: 'input.memorandumId' },
    );
  }
  const partners = new Set(memorandum.partnerIds);
  for (const code of [parties.sending, parties.hosting]) {
    if (!partners.has(code))
      throw new ConflictError(`${code} is not a partner of memorandum ${memorandumId}`, {
        field: 'input.memorandumId',
      });
  }
  if (terms.mobilityStart < memorandum.validFrom || terms.mobilityEnd > memorandum.validUntil) {
    throw new ConflictError(
      `The mobility (${terms.mobilityStart} to ${terms.mobilityEnd}) must fall within memorandum ${memorandumId}'s validity (${memorandum.validFrom} to ${memorandum.validUntil})`,
      { field: `${field}.mobilityEnd` },
    );
  }
  const outcomesOfUnit = new Map<string, string[]>();
  const coveredUnits = new Set(memorandum.unitIds);
  const coveredQualifications = new Set(memorandum.qualificationIds);
  terms.units.forEach((agreed, index) => {
    const at = `${field}.units[${index}]`;
    const unit = answer.data?.[`u${index}`] as HubUnit | null | undefined;
    if (!unit)
      throw new NotFoundError(`${at}.unitId: no unit ${agreed.unitId} in the federation`, { field: `${at}.unitId` });
    if (unit.status !== 'ACTIVE')
      throw new ConflictError(`${at}.unitId: unit ${unit.id} is retired`, { field: `${at}.unitId` });
    if (!coveredUnits.has(unit.id) && !coveredQualifications.has(unit.qualification.id)) {
      throw new ConflictError(`${at}.unitId: unit ${unit.id} is not covered by memorandum ${memorandumId}`, {
        field: `${at}.unitId`,
      });
    }
    if (Math.abs(unit.ecvetPoints - agreed.ecvetPoints) > 1e-9) {
      throw new BadUserInputError(
        `${at}.ecvetPoints ${agreed.ecvetPoints} does not match unit ${unit.id}'s ${unit.ecvetPoints} ECVET points`,
        `${at}.ecvetPoints`,
      );
    }
    const outcomes = new Set(unit.learningOutcomes.map((o) => o.id));
    const foreign = agreed.learningOutcomeIds.find((id) => !outcomes.has(id));
    if (foreign)
      throw new BadUserInputError(
        `${at}.learningOutcomeIds: ${foreign} is not a learning outcome of unit ${unit.id}`,
        `${at}.learningOutcomeIds`,
      );
    outcomesOfUnit.set(unit.id, [...outcomes]);
  });
  return outcomesOfUnit;
}
