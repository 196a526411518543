import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LifecycleStatus } from '../../schema/enums';
import { projectRoot } from '../../platform/project-root';
import type { Database } from '../../subgraphs/shared/database';
import type { RegistryInstitution } from './processes';
import { InstitutionRecord } from '../../subgraphs/qualifications/institution/institution.entity';
import {
  LearningOutcomeRecord,
  LearningOutcomeSkillRecord,
} from '../../subgraphs/qualifications/learning-outcome/learning-outcome.entity';
import { QualificationRecord } from '../../subgraphs/qualifications/qualification/qualification.entity';
import { indexText as qualificationIndexText } from '../../subgraphs/qualifications/qualification/qualification.service';
import type { QualificationsSeed } from '../../subgraphs/qualifications/seed';
import { UnitRecord } from '../../subgraphs/qualifications/unit/unit.entity';
import { indexText as unitIndexText } from '../../subgraphs/qualifications/unit/unit.service';

/**
 * Bench data: the demo institutions (demo/institutions/*.json) are the templates. A bench institution is
 * `bench-NN.example`, named and placed like one of the demo schools, and offers the demo schools'
 * qualifications, units and outcomes (real ESCO skills, real multilingual texts), copied as often as the
 * scenario needs.
 */

type SeedQualification = QualificationsSeed['qualifications'][number];
type SeedUnit = SeedQualification['units'][number];
type SeedOutcome = SeedUnit['learningOutcomes'][number];

export function loadTemplates(): QualificationsSeed[] {
  const dir = join(projectRoot(), 'demo', 'institutions');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as QualificationsSeed);
}

export const benchCode = (n: number): string => `bench-${String(n).padStart(2, '0')}.example`;

function template(templates: readonly QualificationsSeed[], n: number): QualificationsSeed {
  const chosen = templates[(n - 1) % templates.length];
  if (!chosen) throw new Error('No demo institutions to use as templates (demo/institutions/*.json)');
  return chosen;
}

/** Institution `n`: the code rewritten, everything else taken from a demo school. */
export function benchInstitution(
  templates: readonly QualificationsSeed[],
  n: number,
): QualificationsSeed['institution'] {
  const base = template(templates, n).institution;
  const code = benchCode(n);
  return {
    code,
    names: base.names.map((name) => ({
      lang: name.lang,
      value: `${name.value} (bench ${String(n).padStart(2, '0')})`,
    })),
    country: base.country,
    city: base.city,
    website: `https://www.${code}`,
  };
}

/** Bench institution `n` as the hub's registry lists it, its qualifications shard at `shardUrl`. */
export function benchRegistryInstitution(
  templates: readonly QualificationsSeed[],
  n: number,
  shardUrl: string,
): RegistryInstitution {
  const { code, names, country } = benchInstitution(templates, n);
  return { code, names, country, shardUrl };
}

/** A seed file for institution `n` with every template's qualifications (about 30 units, 27 of them EQF 4). */
export function writeFanOutSeed(dir: string, templates: readonly QualificationsSeed[], n: number): string {
  const seed: QualificationsSeed = {
    institution: benchInstitution(templates, n),
    qualifications: templates.flatMap((t) => t.qualifications),
  };
  const path = join(dir, `${seed.institution.code}.seed.json`);
  writeFileSync(path, JSON.stringify(seed));
  return path;
}

export interface ScaledData {
  institution: InstitutionRecord;
  qualifications: QualificationRecord[];
  units: UnitRecord[];
  outcomes: LearningOutcomeRecord[];
  skills: LearningOutcomeSkillRecord[];
}

const withCopy = (texts: ReadonlyArray<{ lang: string; value: string }>, copy: number) =>
  copy === 0 ? texts.map((t) => ({ ...t })) : texts.map((t) => ({ lang: t.lang, value: `${t.value} (${copy + 1})` }));

/**
 * `units` units with `outcomesPerUnit` outcomes each for institution `n`, as rows of the shard's tables:
 * the template units in turn, each template qualification copied as often as needed (copy k's IDs end in
 * `-k`, its titles in "(k)"). Sort keys and search text come from the services' own `indexText`.
 */
export function scaledData(
  templates: readonly QualificationsSeed[],
  n: number,
  units: number,
  outcomesPerUnit = 6,
): ScaledData {
  const pool = templates.flatMap((t) => t.qualifications.flatMap((q) => q.units.map((u, index) => ({ q, u, index }))));
  if (pool.length === 0) throw new Error('The templates have no units');
  const now = new Date();
  const qualifications = new Map<string, QualificationRecord>();
  const data: ScaledData = {
    institution: Object.assign(new InstitutionRecord(), { ...benchInstitution(templates, n) }),
    qualifications: [],
    units: [],
    outcomes: [],
    skills: [],
  };
  for (let k = 0; k < units; k += 1) {
    const { q, u, index } = pool[k % pool.length] as (typeof pool)[number];
    const copy = Math.floor(k / pool.length);
    const qualificationId = copy === 0 ? q.localId : `${q.localId}-${copy + 1}`;
    if (!qualifications.has(qualificationId)) {
      const fields = {
        id: qualificationId,
        titles: withCopy(q.titles, copy),
        descriptions: withCopy(q.descriptions, 0),
        eqfLevel: q.eqfLevel,
        nqfLevel: q.nqfLevel,
        iscedCode: q.iscedCode,
        ecvetPoints: q.ecvetPoints,
        escoOccupation: q.escoOccupation,
        status: LifecycleStatus.ACTIVE,
        createdAt: now,
        updatedAt: now,
      };
      qualifications.set(
        qualificationId,
        Object.assign(new QualificationRecord(), fields, qualificationIndexText(fields)),
      );
    }
    // Outcomes: the unit's own, topped up from the next units of its qualification when it has fewer.
    const outcomes: SeedOutcome[] = [];
    for (let step = 0; outcomes.length < outcomesPerUnit && step < q.units.length; step += 1) {
      const source = q.units[(index + step) % q.units.length] as SeedUnit;
      for (const outcome of source.learningOutcomes) if (outcomes.length < outcomesPerUnit) outcomes.push(outcome);
    }
    const id = copy === 0 ? u.localId : `${u.localId}-${copy + 1}`;
    const fields = {
      id,
      qualificationId,
      titles: withCopy(u.titles, copy),
      eqfLevel: u.eqfLevel,
      ecvetPoints: u.ecvetPoints,
      assessmentCriteria: u.assessmentCriteria.map((texts) => texts.map((t) => ({ ...t }))),
      validFrom: u.validFrom,
      validUntil: u.validUntil,
      status: LifecycleStatus.ACTIVE,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    data.units.push(Object.assign(new UnitRecord(), fields, unitIndexText(fields, outcomes)));
    outcomes.forEach((outcome, position) => {
      const outcomeId = `${id}-LO${position + 1}`;
      data.outcomes.push(
        Object.assign(new LearningOutcomeRecord(), {
          id: outcomeId,
          unitId: id,
          position: position + 1,
          category: outcome.category,
          statements: outcome.statements,
        }),
      );
      [...new Set(outcome.escoSkills)].forEach((skillUri, skillPosition) =>
        data.skills.push(
          Object.assign(new LearningOutcomeSkillRecord(), { outcomeId, skillUri, unitId: id, position: skillPosition }),
        ),
      );
    });
  }
  data.qualifications = [...qualifications.values()];
  return data;
}

function chunks<T>(rows: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < rows.length; i += size) result.push(rows.slice(i, i + size));
  return result;
}

/**
 * Writes scaled data into a migrated, empty shard database with multi-row INSERTs through the TypeORM
 * entities (not through the API: no per-row checks or audit entries), in one transaction. The institution
 * row goes last, as in `seedQualifications`: its presence marks a complete seed.
 */
export async function bulkSeed(db: Database, data: ScaledData): Promise<void> {
  const rowsPerStatement = db.driver === 'sqlite' ? 100 : 500;
  await db.dataSource.transaction(async (manager) => {
    const tables: Array<[new () => object, readonly object[], number]> = [
      [QualificationRecord, data.qualifications, rowsPerStatement],
      [UnitRecord, data.units, rowsPerStatement],
      [LearningOutcomeRecord, data.outcomes, rowsPerStatement * 2],
      [LearningOutcomeSkillRecord, data.skills, rowsPerStatement * 4],
    ];
    for (const [entity, rows, size] of tables) {
      for (const chunk of chunks(rows, size)) {
        await manager.createQueryBuilder().insert().into(entity).values(chunk).updateEntity(false).execute();
      }
    }
    await manager
      .createQueryBuilder()
      .insert()
      .into(InstitutionRecord)
      .values(data.institution)
      .updateEntity(false)
      .execute();
  });
}
