import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import { accumulate, creditedPart, decisionPoints, type CreditingDecision, type HomeUnit } from './accumulation';

const unit: HomeUnit = {
  id: 'rvt.lv:ELEC-U2',
  ecvetPoints: 20,
  status: 'ACTIVE',
  learningOutcomes: [
    { id: 'rvt.lv:ELEC-U2-LO1' },
    { id: 'rvt.lv:ELEC-U2-LO2' },
    { id: 'rvt.lv:ELEC-U2-LO3' },
    { id: 'rvt.lv:ELEC-U2-LO4' },
  ],
};

const decision = (id: string, change: Partial<CreditingDecision>): CreditingDecision => ({
  id,
  unitId: 'bbs-hannover.de:EL-7',
  decision: RecognitionDecisionKind.RECOGNISED,
  recognisedOutcomeIds: [],
  homeUnitIds: [unit.id],
  homeOutcomeIds: [],
  decidedAt: new Date(`2026-01-0${id.slice(-1)}T10:00:00Z`),
  ...change,
});

test('a home unit without named outcomes is credited whole; named outcomes credit a share of its points', () => {
  expect(creditedPart(decision('d1', {}), unit)).toEqual({ whole: true });
  const part = decision('d1', { homeOutcomeIds: ['rvt.lv:ELEC-U2-LO1'] });
  expect(creditedPart(part, unit)).toEqual({ whole: false, outcomeIds: ['rvt.lv:ELEC-U2-LO1'] });
  expect(decisionPoints(part, new Map([[unit.id, unit]]))).toBe(5);
  expect(creditedPart(decision('d1', { decision: RecognitionDecisionKind.REFUSED }), unit)).toBeNull();
  expect(creditedPart(decision('d1', { homeUnitIds: ['rvt.lv:ELEC-U3'] }), unit)).toBeNull();
});

test('a decision made before decisions named home units credits its own unit and recognised outcomes', () => {
  const legacy = decision('d1', {
    unitId: unit.id,
    homeUnitIds: null,
    homeOutcomeIds: null,
    decision: RecognitionDecisionKind.PARTIALLY_RECOGNISED,
    recognisedOutcomeIds: ['rvt.lv:ELEC-U2-LO2', 'rvt.lv:ELEC-U2-LO3'],
  });
  expect(creditedPart(legacy, unit)).toEqual({
    whole: false,
    outcomeIds: ['rvt.lv:ELEC-U2-LO2', 'rvt.lv:ELEC-U2-LO3'],
  });
});

test('a home unit credited twice counts once; partial credits add up by outcome, not by points', () => {
  const whole = accumulate(unit, [decision('d2', {}), decision('d1', {})]);
  expect(whole).toEqual(expect.objectContaining({ ecvetPoints: 20, outcomeIds: null, decisionIds: ['d1', 'd2'] }));
  expect(whole?.first.id).toBe('d1');
  const parts = accumulate(unit, [
    decision('d1', { homeOutcomeIds: ['rvt.lv:ELEC-U2-LO1', 'rvt.lv:ELEC-U2-LO2'] }),
    decision('d2', { homeOutcomeIds: ['rvt.lv:ELEC-U2-LO2', 'rvt.lv:ELEC-U2-LO3'] }),
  ]);
  expect(parts).toEqual(
    expect.objectContaining({
      ecvetPoints: 15,
      outcomeIds: ['rvt.lv:ELEC-U2-LO1', 'rvt.lv:ELEC-U2-LO2', 'rvt.lv:ELEC-U2-LO3'],
    }),
  );
  const all = accumulate(unit, [
    decision('d1', { homeOutcomeIds: ['rvt.lv:ELEC-U2-LO1', 'rvt.lv:ELEC-U2-LO2'] }),
    decision('d2', { homeOutcomeIds: ['rvt.lv:ELEC-U2-LO3', 'rvt.lv:ELEC-U2-LO4'] }),
  ]);
  expect(all).toEqual(expect.objectContaining({ ecvetPoints: 20, outcomeIds: null }));
  expect(accumulate(unit, [decision('d1', { decision: RecognitionDecisionKind.REFUSED })])).toBeNull();
});
