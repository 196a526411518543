import { addDays, today } from '../../subgraphs/mobilities/dates';
import type { TestHub } from './hub';

/**
 * The hosting assessor of the demo mobility (cifp-aviles.es) corrects the assessment of one of its units: the
 * write the live-update tests wait for. Fails the test when the hub refuses it.
 */
export async function correctDemoAssessment(
  hub: TestHub,
  grade: string,
  unit = 'rvt.lv:WELD-U4',
  agreement = 'rvt.lv:LA-2026-001',
): Promise<void> {
  const assessor = await hub.token('cifp-aviles.es', ['assessor']);
  const read = await hub.request(
    'query($id: ID!) { learningAgreement(id: $id) { assessments { id unit { id } } } }',
    { id: agreement },
    assessor,
  );
  const assessments = (
    read.body.data?.learningAgreement as { assessments: Array<{ id: string; unit: { id: string } }> }
  ).assessments;
  const answer = await hub.request(
    `mutation($id: ID!, $grade: String!) { correctAssessment(id: $id, input: { result: ACHIEVED, grade: $grade, assessedOn: "${addDays(today(), -20)}", reason: "Re-marked" }) { revision } }`,
    { id: assessments.find((a) => a.unit.id === unit)?.id, grade },
    assessor,
  );
  expect(answer.body.errors).toBeUndefined();
}
