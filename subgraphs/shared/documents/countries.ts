/**
 * ISO 3166-1 alpha-2 to alpha-3 for the countries of the Erasmus+ programme and their neighbours: the EU
 * Publications Office's country authority table (which Europass uses) names countries by alpha-3.
 */
const ALPHA3: Readonly<Record<string, string>> = {
  AT: 'AUT', BE: 'BEL', BG: 'BGR', HR: 'HRV', CY: 'CYP', CZ: 'CZE', DK: 'DNK', EE: 'EST', FI: 'FIN', FR: 'FRA',
  DE: 'DEU', GR: 'GRC', HU: 'HUN', IE: 'IRL', IT: 'ITA', LV: 'LVA', LT: 'LTU', LU: 'LUX', MT: 'MLT', NL: 'NLD',
  PL: 'POL', PT: 'PRT', RO: 'ROU', SK: 'SVK', SI: 'SVN', ES: 'ESP', SE: 'SWE',
  IS: 'ISL', LI: 'LIE', NO: 'NOR', CH: 'CHE', GB: 'GBR', MK: 'MKD', RS: 'SRB', TR: 'TUR', AL: 'ALB', BA: 'BIH',
  ME: 'MNE', XK: 'XKX', UA: 'UKR', MD: 'MDA', GE: 'GEO', AM: 'ARM', AZ: 'AZE', BY: 'BLR', RU: 'RUS', AD: 'AND',
  MC: 'MCO', SM: 'SMR', VA: 'VAT', US: 'USA', CA: 'CAN', MA: 'MAR', TN: 'TUN', EG: 'EGY', IL: 'ISR',
};

/** The alpha-3 code, or null for a country outside the table. */
export function alpha3(alpha2: string): string | null {
  return ALPHA3[alpha2.toUpperCase()] ?? null;
}
