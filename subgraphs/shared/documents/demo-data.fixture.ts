import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicInstitution, PublicUnit, Text } from './hub-data';
import { thirdPartyDir } from './third-party';

/**
 * Public data for unit tests of the document builders, from the project's own demo seeds, shaped as the hub
 * answers it (so the builders see what they see in production). Not used at run time.
 */
interface Seed {
  institution: { code: string; names: Text[]; country: string; city: string; website: string | null };
  qualifications: Array<{
    localId: string;
    titles: Text[];
    eqfLevel: number;
    iscedCode: string;
    ecvetPoints: number;
    units: Array<{
      localId: string;
      titles: Text[];
      eqfLevel: number;
      ecvetPoints: number;
      learningOutcomes: Array<{
        category: PublicUnit['learningOutcomes'][number]['category'];
        statements: Text[];
        escoSkills: string[];
      }>;
    }>;
  }>;
}

const seed = (code: string) =>
  JSON.parse(readFileSync(join(thirdPartyDir(), '..', 'demo', 'institutions', `${code}.json`), 'utf8')) as Seed;

export function demoInstitution(code: string): PublicInstitution {
  const { institution } = seed(code);
  return {
    id: institution.code,
    names: institution.names,
    country: institution.country,
    city: institution.city,
    website: institution.website,
  };
}

export function demoUnit(id: string): PublicUnit {
  const [code, localId] = id.split(':') as [string, string];
  for (const q of seed(code).qualifications) {
    const unit = q.units.find((u) => u.localId === localId);
    if (!unit) continue;
    return {
      id,
      localId,
      titles: unit.titles,
      eqfLevel: unit.eqfLevel,
      ecvetPoints: unit.ecvetPoints,
      qualification: {
        id: `${code}:${q.localId}`,
        titles: q.titles,
        eqfLevel: q.eqfLevel,
        iscedCode: q.iscedCode,
        ecvetPoints: q.ecvetPoints,
      },
      learningOutcomes: unit.learningOutcomes.map((o, index) => ({
        id: `${id}-LO${index + 1}`,
        position: index + 1,
        ...o,
      })),
    };
  }
  throw new Error(`No demo unit ${id}`);
}
