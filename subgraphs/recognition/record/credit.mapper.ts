import { entityId } from '../../../schema/ids';
import { ref } from '../../../schema/mobility/references';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import { Credit } from '../../../schema/recognition/recognition';
import type { CreditRecord } from './credit.entity';
import { creditSourceOf } from './credit-source';

export function toCredit(
  credit: Pick<CreditRecord, 'unitId' | 'ecvetPoints' | 'source' | 'creditedOn' | 'decisionId'> &
    Partial<Pick<CreditRecord, 'achievedAsUnitId' | 'outcomeIds'>>,
  institution: string,
): Credit {
  return Object.assign(new Credit(), {
    unitId: credit.unitId,
    unit: ref(RecognitionUnitRef, credit.unitId),
    ecvetPoints: credit.ecvetPoints,
    source: creditSourceOf(credit.source),
    creditedOn: credit.creditedOn,
    decisionId: credit.decisionId ? entityId(institution, credit.decisionId) : null,
    achievedAsUnitId: credit.achievedAsUnitId ?? null,
    achievedAsUnit: credit.achievedAsUnitId ? ref(RecognitionUnitRef, credit.achievedAsUnitId) : null,
    creditedOutcomeIds: credit.outcomeIds ?? null,
  });
}
