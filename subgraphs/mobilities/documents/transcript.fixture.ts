import { AssessmentResult } from '../../../schema/mobility/enums';
import { demoInstitution, demoUnit } from '../../shared/documents/demo-data.fixture';
import type { StoredTranscriptEntry } from '../assessment/assessment.entity';
import { agreedOutcomes, type TranscriptDocumentData } from './transcript-data';

/** A transcript of the demo's kind (Riga learner assessed in Avilés) for unit tests: one unit achieved with a grade, one not. */
export function sampleTranscript(change: Partial<TranscriptDocumentData> = {}): TranscriptDocumentData {
  const entries: StoredTranscriptEntry[] = [
    {
      unitId: 'rvt.lv:WELD-U4',
      result: AssessmentResult.ACHIEVED,
      grade: '8/10',
      assessedOn: '2026-06-10',
      ecvetPoints: 25,
      outcomeResults: [
        { learningOutcomeId: 'rvt.lv:WELD-U4-LO1', result: AssessmentResult.ACHIEVED },
        { learningOutcomeId: 'rvt.lv:WELD-U4-LO2', result: AssessmentResult.NOT_ACHIEVED },
      ],
    },
    {
      unitId: 'rvt.lv:WELD-U2',
      result: AssessmentResult.NOT_ACHIEVED,
      grade: null,
      assessedOn: '2026-06-11',
      ecvetPoints: 0,
      outcomeResults: [],
    },
  ];
  return {
    transcriptId: 'rvt.lv:T-LA-2026-001-1',
    learningAgreementId: 'rvt.lv:LA-2026-001',
    version: 1,
    agreementVersion: 2,
    current: true,
    issuedAt: '2026-06-20T09:30:00.000Z',
    issuedBy: 'Lucía Fernández',
    learner: { id: 'rvt.lv:L-17', name: 'Anna Bērziņa', dateOfBirth: '2007-04-12' },
    mobility: { start: '2026-05-01', end: '2026-06-12' },
    sending: demoInstitution('rvt.lv'),
    host: demoInstitution('cifp-aviles.es'),
    units: entries.map((entry) => {
      const unit = demoUnit(entry.unitId);
      return { entry, unit, outcomes: agreedOutcomes(unit, undefined), recognisedAs: null };
    }),
    totalEcvetPoints: 25,
    ...change,
  };
}
