import type { InstitutionPart, UnitDoc } from './engine';

/** A unit of qualification `Q` whose title (and sort key) is `title`, its other texts the same; `extra` overrides. */
export const unitDoc = (localId: string, title: string, extra: Partial<UnitDoc> = {}): UnitDoc => ({
  localId,
  qualification: 'Q',
  sortKey: title,
  searchText: `${localId.toLowerCase()} ${title}`,
  titleText: title,
  langTexts: { en: title },
  eqfLevel: 4,
  ecvetPoints: 10,
  status: 'ACTIVE',
  skills: [],
  ...extra,
});

/** An institution's part: its one qualification `Q`, titled `qualificationTitle`, and `units`. */
export const partOf = (code: string, country: string, units: UnitDoc[], qualificationTitle = 'q'): InstitutionPart => ({
  institution: { code, country },
  qualifications: [
    {
      localId: 'Q',
      sortKey: qualificationTitle,
      searchText: qualificationTitle,
      titleText: qualificationTitle,
      langTexts: { en: qualificationTitle },
      eqfLevel: 4,
      ecvetPoints: 120,
      iscedCode: '0715',
      escoOccupation: null,
      status: 'ACTIVE',
    },
  ],
  units,
});
