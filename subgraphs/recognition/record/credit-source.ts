import { CreditSource } from '../../../schema/recognition/recognition';

/** A credit's source as stored (at most 8 characters) and as the schema names it. */
export type StoredCreditSource = 'HOME' | 'ABROAD' | 'TRANSFER' | 'VPL';

const SOURCES: Record<StoredCreditSource, CreditSource> = {
  HOME: CreditSource.HOME,
  ABROAD: CreditSource.ABROAD,
  TRANSFER: CreditSource.TRANSFER,
  VPL: CreditSource.PRIOR_LEARNING,
};

export const creditSourceOf = (stored: StoredCreditSource): CreditSource => SOURCES[stored];
