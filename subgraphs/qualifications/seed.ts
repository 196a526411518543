import { readFileSync } from 'node:fs';
import type { LearningOutcomeCategory, LocalizedText } from '../../schema';
import type { Database } from '../shared/database';
import { createQualificationsContext } from './context';
import { addGradingScales, type GradingScaleDefinition } from './grading-scale/grading-scale.service';
import { InstitutionRecord } from './institution/institution.entity';
import { createQualification } from './qualification/qualification.service';
import { createUnit } from './unit/unit.service';

/** The demo data format: one institution and its qualifications, units and outcomes. */
export interface QualificationsSeed {
  institution: { code: string; names: LocalizedText[]; country: string; city: string; website: string | null };
  qualifications: Array<{
    localId: string;
    titles: LocalizedText[];
    descriptions: LocalizedText[];
    eqfLevel: number;
    nqfLevel: number | null;
    iscedCode: string;
    ecvetPoints: number;
    escoOccupation: string | null;
    units: Array<{
      localId: string;
      titles: LocalizedText[];
      eqfLevel: number;
      ecvetPoints: number;
      validFrom: string;
      validUntil: string | null;
      assessmentCriteria: LocalizedText[][];
      learningOutcomes: Array<{ category: LearningOutcomeCategory; statements: LocalizedText[]; escoSkills: string[] }>;
    }>;
  }>;
  /** The grading scales the institution publishes. */
  gradingScales?: GradingScaleDefinition[];
}

export function readSeed(path: string): QualificationsSeed {
  return JSON.parse(readFileSync(path, 'utf8')) as QualificationsSeed;
}

/**
 * Loads a seed into an empty shard through the same services (and checks) a coordinator's writes go
 * through. Does nothing when the institution is there already; returns whether it seeded.
 */
export async function seedQualifications(db: Database, seed: QualificationsSeed): Promise<boolean> {
  const code = seed.institution.code;
  await addGradingScales(db.dataSource.manager, seed.gradingScales ?? []);
  if (await db.dataSource.manager.existsBy(InstitutionRecord, { code })) return false;
  const context = createQualificationsContext(db, {
    institution: code,
    caller: { institution: code, roles: ['coordinator'], learnerId: null, subject: 'seed' },
    hopError: null,
    requestId: 'seed',
  });
  for (const qualification of seed.qualifications) {
    const { units, ...fields } = qualification;
    const created = await createQualification(context, fields);
    for (const unit of units) {
      await createUnit(context, {
        ...unit,
        qualificationId: created.id,
        assessmentCriteria: unit.assessmentCriteria.map((texts) => ({ texts })),
      });
    }
  }
  // Written last: its presence marks a complete seed, so an interrupted one is redone on the next start.
  await db.dataSource.manager.insert(InstitutionRecord, {
    ...seed.institution,
    website: seed.institution.website ?? null,
  });
  return true;
}
