import { readFileSync } from 'node:fs';
import { sortKeyOf } from '../schema/cursor';
import { pickText } from '../schema/localized-text';
import type { QualificationsSeed } from '../subgraphs/qualifications/seed';
import { DEMO_INSTITUTIONS, seedFileOf } from './harness/hub';

/** The demo seeds, read the way a test computes what the hub should answer. */
export function demoSeeds(codes: readonly string[] = DEMO_INSTITUTIONS): QualificationsSeed[] {
  return codes.map((code) => JSON.parse(readFileSync(seedFileOf(code), 'utf8')) as QualificationsSeed);
}

export interface SeedUnit {
  id: string;
  institution: string;
  country: string;
  eqfLevel: number;
  ecvetPoints: number;
  iscedCode: string;
  skills: string[];
  sortKey: string;
  qualificationId: string;
}

export function seedUnits(codes?: readonly string[]): SeedUnit[] {
  return demoSeeds(codes).flatMap((seed) =>
    seed.qualifications.flatMap((q) =>
      q.units.map((u) => ({
        id: `${seed.institution.code}:${u.localId}`,
        institution: seed.institution.code,
        country: seed.institution.country,
        eqfLevel: u.eqfLevel,
        ecvetPoints: u.ecvetPoints,
        iscedCode: q.iscedCode,
        skills: [...new Set(u.learningOutcomes.flatMap((o) => o.escoSkills))],
        sortKey: sortKeyOf(pickText(u.titles, 'en') ?? u.localId),
        qualificationId: `${seed.institution.code}:${q.localId}`,
      })),
    ),
  );
}

/** The order every list of the hub is in: sort key, then local ID, then institution. */
export function hubOrder(a: SeedUnit, b: SeedUnit): number {
  const key = (u: SeedUnit) => [u.sortKey, u.id.slice(u.institution.length + 1), u.institution];
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < x.length; i += 1) {
    if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1;
  }
  return 0;
}
