import type { QualificationDoc, UnitDoc } from '../../gateway/catalogue/engine';

/**
 * Catalogue documents of a folded text alone, written straight into an engine by the bench's write timings and the
 * engines' own tests: every text of the item is `text`, the rest fixed.
 */
export const unitOfText = (localId: string, text: string, qualification = 'Q1'): UnitDoc => ({
  localId,
  qualification,
  sortKey: text,
  titleText: text,
  searchText: text,
  langTexts: { en: text },
  eqfLevel: 4,
  ecvetPoints: 5,
  status: 'ACTIVE',
  skills: [],
});

export const qualificationOfText = (localId: string, text: string): QualificationDoc => ({
  localId,
  sortKey: text,
  titleText: text,
  searchText: text,
  langTexts: { en: text },
  eqfLevel: 4,
  ecvetPoints: 120,
  iscedCode: '0715',
  escoOccupation: null,
  status: 'ACTIVE',
});

/** A small deterministic generator (the same texts at every run): a number below `below` at each call. */
export function seededNumbers(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    // The high bits: the low ones of this generator repeat soon.
    return Math.floor(state / 65_536) % below;
  };
}
