/**
 * The learning agreements a first `npm start` makes (scripts/demo-mobilities.ts), as `[id, status, transcript's
 * ECVET points]` in ID order: Anna's class of six back from Avilés, one learner short of a unit, and an Avilés
 * learner's agreement waiting for signatures.
 */
export const DEMO_AGREEMENT_STATES: ReadonlyArray<readonly [string, string, number | null]> = [
  ['cifp-aviles.es:LA-2026-014', 'DRAFT', null],
  ['rvt.lv:LA-2026-001', 'SIGNED', 55],
  ['rvt.lv:LA-2026-002', 'SIGNED', 55],
  ['rvt.lv:LA-2026-003', 'SIGNED', 55],
  ['rvt.lv:LA-2026-004', 'SIGNED', 25],
  ['rvt.lv:LA-2026-005', 'SIGNED', 55],
  ['rvt.lv:LA-2026-006', 'SIGNED', 55],
];

/** An agreement as the lists above compare it. */
export const agreementState = (agreement: {
  id: string;
  status: string;
  transcript: { totalEcvetPoints: number } | null;
}) => [agreement.id, agreement.status, agreement.transcript?.totalEcvetPoints ?? null];
