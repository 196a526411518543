import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An ESCO concept as `npm run esco:import` loads it from the ESCO distribution: a skill or knowledge
 * concept, a skill group (ISCED-F fields included) or an occupation. Comparisons read labels and types here.
 */
@Entity('esco_concept')
export class EscoConceptRecord {
  /** The concept URI, e.g. http://data.europa.eu/esco/skill/<uuid> or http://data.europa.eu/esco/isced-f/0715. */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  uri!: string;

  /** ESCO's `conceptType`: KnowledgeSkillCompetence, SkillGroup or Occupation. */
  @Column({ type: 'varchar', length: 40 })
  conceptType!: string;

  /** English preferred label. */
  @Column({ type: 'varchar', length: 512 })
  preferredLabel!: string;

  /** `skill/competence` or `knowledge`; null for groups and occupations. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  skillType!: string | null;

  /** `transversal`, `cross-sector`, `sector-specific` or `occupation-specific`; null for groups and occupations. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  reuseLevel!: string | null;

  /** The code ESCO gives groups and occupations (ISCED-F code, skill group code, ESCO occupation code). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  code!: string | null;
}

/** One step up ESCO's hierarchy: `conceptUri` is narrower than `broaderUri`. A concept may have several. */
@Entity('esco_broader')
@Index('idx_esco_broader_uri', ['broaderUri'])
export class EscoBroaderRecord {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  conceptUri!: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  broaderUri!: string;
}
