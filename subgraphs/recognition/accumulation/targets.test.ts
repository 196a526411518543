import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import type { HubQualification } from '../hub';
import type { ValidatedUnit } from '../validation/validation.entity';
import { decisionTargets } from './targets';

const home: HubQualification = {
  id: 'rvt.lv:ELEC',
  ecvetPoints: 30,
  units: [
    { id: 'rvt.lv:ELEC-U1', ecvetPoints: 10, status: 'ACTIVE', learningOutcomes: [{ id: 'rvt.lv:ELEC-U1-LO1' }] },
    {
      id: 'rvt.lv:ELEC-U2',
      ecvetPoints: 20,
      status: 'ACTIVE',
      learningOutcomes: [{ id: 'rvt.lv:ELEC-U2-LO1' }, { id: 'rvt.lv:ELEC-U2-LO2' }],
    },
  ],
};

const validated = (unitId: string, recognisedAs: ValidatedUnit['recognisedAs']): ValidatedUnit => ({
  unitId,
  agreedEcvetPoints: 10,
  agreedOutcomeIds: [],
  achieved: true,
  transcriptEcvetPoints: 10,
  achievedOutcomeIds: null,
  differences: [],
  recognisedAs,
});

const mapped = validated('bbs-hannover.de:EL-7', {
  homeUnitIds: ['rvt.lv:ELEC-U2'],
  homeOutcomeIds: ['rvt.lv:ELEC-U2-LO1'],
  coverage: 'PARTIAL',
  source: 'MEMORANDUM',
});
const recognised = { decision: RecognitionDecisionKind.RECOGNISED, learningOutcomeIds: [] };

test('a decision credits what the agreement foresaw, without a reason', () => {
  expect(decisionTargets('d', mapped, recognised, home)).toEqual({
    homeUnitIds: ['rvt.lv:ELEC-U2'],
    homeOutcomeIds: ['rvt.lv:ELEC-U2-LO1'],
    overrideReason: null,
  });
  // An agreement made before agreements said: the agreed unit is itself a home unit.
  expect(decisionTargets('d', validated('rvt.lv:ELEC-U1', undefined), recognised, home).homeUnitIds).toEqual([
    'rvt.lv:ELEC-U1',
  ]);
  expect(
    decisionTargets('d', mapped, { decision: RecognitionDecisionKind.REFUSED, learningOutcomeIds: [] }, home),
  ).toEqual({ homeUnitIds: [], homeOutcomeIds: [], overrideReason: null });
});

test('more than foreseen (another unit, the whole unit where outcomes were foreseen) needs an overrideReason', () => {
  expect(() => decisionTargets('d', mapped, { ...recognised, homeOutcomeIds: [] }, home)).toThrow(
    /d\.overrideReason is required .* \(it foresaw rvt\.lv:ELEC-U2\)/,
  );
  expect(() => decisionTargets('d', mapped, { ...recognised, homeUnitIds: ['rvt.lv:ELEC-U1'] }, home)).toThrow(
    /overrideReason is required/,
  );
  expect(
    decisionTargets('d', mapped, { ...recognised, homeOutcomeIds: [], overrideReason: 'Both outcomes shown' }, home),
  ).toEqual({ homeUnitIds: ['rvt.lv:ELEC-U2'], homeOutcomeIds: [], overrideReason: 'Both outcomes shown' });
  expect(() => decisionTargets('d', validated('bbs-hannover.de:EL-9', null), recognised, home)).toThrow(
    /d\.homeUnitIds: the agreement foresees no home unit of rvt\.lv:ELEC/,
  );
});

test('home units and outcomes must be of the home qualification; a partial recognition of a unit from abroad names its home outcomes', () => {
  expect(() =>
    decisionTargets('d', mapped, { ...recognised, homeUnitIds: ['rvt.lv:WELD-U1'], overrideReason: 'x' }, home),
  ).toThrow(/d\.homeUnitIds\[0\] rvt\.lv:WELD-U1 is not a unit of the home qualification rvt\.lv:ELEC/);
  expect(() => decisionTargets('d', mapped, { ...recognised, homeOutcomeIds: ['rvt.lv:ELEC-U1-LO1'] }, home)).toThrow(
    /d\.homeOutcomeIds\[0\] rvt\.lv:ELEC-U1-LO1 is not a learning outcome of the home units rvt\.lv:ELEC-U2/,
  );
  expect(() =>
    decisionTargets(
      'd',
      mapped,
      { decision: RecognitionDecisionKind.PARTIALLY_RECOGNISED, learningOutcomeIds: ['x'] },
      home,
    ),
  ).toThrow(/d\.homeOutcomeIds must name the home learning outcomes/);
});
