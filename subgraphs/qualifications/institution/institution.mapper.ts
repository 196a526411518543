import { Institution } from '../../../schema/institution';
import type { InstitutionRecord } from './institution.entity';

export function toInstitution(record: InstitutionRecord): Institution {
  return Object.assign(new Institution(), {
    id: record.code,
    names: record.names,
    country: record.country,
    city: record.city,
    website: record.website,
  });
}
