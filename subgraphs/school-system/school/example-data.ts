import type { Runner } from '../database';

/**
 * The example school: a vocational training centre in Turin whose three-year "Operatore elettrico" (IeFP, EQF 3)
 * is kept in its own system. Its ESCO links are real (ESCO v1.2.0, © European Union), so its modules compare with
 * the electricians' units of the other demo schools.
 */
const ESCO = (uuid: string) => `http://data.europa.eu/esco/skill/${uuid}`;

interface Outcome {
  tipo: 'conoscenza' | 'abilita' | 'competenza';
  it: string;
  en: string;
  esco: string[];
}

interface Module {
  code: string;
  it: string;
  en: string;
  crediti: number;
  dal: string;
  al: string | null;
  attivo: 0 | 1;
  outcomes: Outcome[];
  criteri: Array<[string, string]>;
}

export const EXAMPLE_SCHOOL = {
  codice: 'TOCF00123X',
  code: 'cfp-esempio.it',
  denominazione: 'Centro di Formazione Professionale «Esempio» di Torino',
  denominazioneEn: 'Vocational Training Centre «Esempio», Turin',
  comune: 'Torino',
  paese: 'IT',
  sitoWeb: 'https://cfp-esempio.it',
};

const PERCORSO = {
  code: 'OP-ELET',
  it: 'Operatore elettrico',
  en: 'Electrical operator',
  descrizione:
    'Percorso triennale di istruzione e formazione professionale (IeFP): installazione e manutenzione di impianti elettrici civili e fotovoltaici, nel rispetto delle norme di sicurezza.',
  descrizioneEn:
    'Three-year vocational education and training programme (IeFP): installing and maintaining electrical installations in buildings and photovoltaic systems, following safety rules.',
  eqf: 3,
  nqf: 3,
  isced: '0713',
  crediti: 180,
  occupazione: 'http://data.europa.eu/esco/occupation/4910419f-b4af-4f59-b544-9dbebc8a74f0',
};

const MODULES: Module[] = [
  {
    code: 'OE-M01',
    it: 'Sicurezza elettrica e sicurezza sul lavoro',
    en: 'Electrical safety and safety at work',
    crediti: 15,
    dal: '2024-09-01',
    al: null,
    attivo: 1,
    outcomes: [
      {
        tipo: 'conoscenza',
        it: 'Conosce gli effetti della corrente elettrica sul corpo umano e gli obblighi del D.Lgs. 81/2008.',
        en: 'Knows the effects of electric current on the human body and the duties set by Legislative Decree 81/2008.',
        esco: [ESCO('f2f463e5-2382-49cb-8199-e7e043d868df'), ESCO('c4180af3-befd-4bd8-9a65-6a496f9d9f15')],
      },
      {
        tipo: 'abilita',
        it: "Mette fuori tensione un impianto, lo protegge dalla richiusura e verifica l'assenza di tensione.",
        en: 'Disconnects an installation, secures it against reconnection and verifies the absence of voltage.',
        esco: [ESCO('5bcec244-3efe-45ac-8891-0ab4a91e9c48')],
      },
      {
        tipo: 'competenza',
        it: 'Lavora secondo le istruzioni di sicurezza e rifiuta un lavoro in condizioni non sicure.',
        en: 'Works according to the safety instructions and refuses work in unsafe conditions.',
        esco: [ESCO('b618584f-6bdf-4d8f-89a7-f28c2c95afc2'), ESCO('86df7af2-f9f3-4c06-a500-7f1fba9e78fe')],
      },
    ],
    criteri: [
      [
        'Supera la prova pratica di messa in sicurezza di un quadro.',
        'Passes the practical test of making a distribution board safe.',
      ],
    ],
  },
  {
    code: 'OE-M02',
    it: 'Misure elettriche e lettura di schemi',
    en: 'Electrical measurements and reading circuit diagrams',
    crediti: 20,
    dal: '2024-09-01',
    al: null,
    attivo: 1,
    outcomes: [
      {
        tipo: 'conoscenza',
        it: 'Conosce la legge di Ohm, i principi di Kirchhoff e le grandezze dei circuiti in corrente continua e alternata.',
        en: "Knows Ohm's law, Kirchhoff's laws and the quantities of DC and AC circuits.",
        esco: [ESCO('5c3ab99d-a3f1-4620-9602-d12d2151a03d')],
      },
      {
        tipo: 'abilita',
        it: 'Misura tensione, corrente e resistenza con multimetro e pinza amperometrica.',
        en: 'Measures voltage, current and resistance with a multimeter and a clamp meter.',
        esco: [ESCO('a9b68e58-766a-403d-b5fe-955b57bdad1b'), ESCO('f7fc7bf8-f41d-44af-81e3-09b88e9779e6')],
      },
      {
        tipo: 'abilita',
        it: 'Legge schemi elettrici funzionali e di montaggio.',
        en: 'Reads functional and wiring diagrams.',
        esco: [ESCO('316df5b7-31c4-4f4e-ae69-aad1b873b995')],
      },
    ],
    criteri: [
      ['Esegue le misure richieste con errore entro il 5%.', 'Takes the required measurements within 5% error.'],
    ],
  },
  {
    code: 'OE-M03',
    it: 'Impianti elettrici civili',
    en: 'Electrical installations in homes',
    crediti: 30,
    dal: '2024-09-01',
    al: null,
    attivo: 1,
    outcomes: [
      {
        tipo: 'conoscenza',
        it: 'Conosce cavi, modalità di posa e funzionamento di interruttori magnetotermici e differenziali.',
        en: 'Knows cables, installation methods and how circuit breakers and residual current devices work.',
        esco: [ESCO('a7065828-10aa-4aba-b7d4-f23a30df5060')],
      },
      {
        tipo: 'abilita',
        it: 'Installa e collega prese, interruttori, punti luce e scatole di derivazione secondo lo schema.',
        en: 'Installs and connects sockets, switches, light points and junction boxes according to the diagram.',
        esco: [ESCO('a7065828-10aa-4aba-b7d4-f23a30df5060'), ESCO('592525ab-b517-4c55-8c65-17e0f5d99205')],
      },
      {
        tipo: 'abilita',
        it: 'Realizza il quadro elettrico di un appartamento con magnetotermici e differenziale.',
        en: 'Assembles the distribution board of a flat with circuit breakers and a residual current device.',
        esco: [ESCO('592525ab-b517-4c55-8c65-17e0f5d99205'), ESCO('316df5b7-31c4-4f4e-ae69-aad1b873b995')],
      },
      {
        tipo: 'competenza',
        it: 'Controlla il proprio lavoro prima della consegna e collabora con le altre imprese del cantiere.',
        en: 'Checks their own work before handing it over and cooperates with the other trades on site.',
        esco: [ESCO('60c78287-22eb-4103-9c8c-28deaa460da0')],
      },
    ],
    criteri: [
      [
        "Realizza l'impianto di un locale nei tempi previsti e a regola d'arte.",
        'Completes the installation of a room on time and to professional standards.',
      ],
      ['Compila la dichiarazione di conformità.', 'Fills in the declaration of conformity.'],
    ],
  },
  {
    code: 'OE-M04',
    it: 'Impianti fotovoltaici',
    en: 'Photovoltaic systems',
    crediti: 20,
    dal: '2025-09-01',
    al: null,
    attivo: 1,
    outcomes: [
      {
        tipo: 'conoscenza',
        it: 'Conosce il funzionamento delle celle fotovoltaiche e i componenti di un impianto connesso alla rete.',
        en: 'Knows how photovoltaic cells work and the components of a grid-connected system.',
        esco: [ESCO('e45507ff-c1e2-4e0c-92fb-b6c0e6cb6245'), ESCO('8248a071-5307-4a64-a62d-643a35ec31e2')],
      },
      {
        tipo: 'abilita',
        it: "Monta i moduli sulla struttura di sostegno e collega le stringhe all'inverter sotto supervisione.",
        en: 'Fixes the modules on the mounting system and connects the strings to the inverter under supervision.',
        esco: [ESCO('08a5f6dd-d3dd-4371-9919-6d730f34499c'), ESCO('18d3f89a-6ac5-4ca6-bf93-0baec4e13bcd')],
      },
    ],
    criteri: [
      [
        'Collega correttamente una stringa e ne misura la tensione a vuoto.',
        'Connects a string correctly and measures its open-circuit voltage.',
      ],
    ],
  },
  {
    code: 'OE-M00',
    it: 'Impianti elettrici tradizionali (ordinamento precedente)',
    en: 'Conventional electrical installations (previous curriculum)',
    crediti: 30,
    dal: '2019-09-01',
    al: '2024-08-31',
    attivo: 0,
    outcomes: [
      {
        tipo: 'abilita',
        it: 'Realizza semplici impianti elettrici civili.',
        en: 'Builds simple electrical installations in homes.',
        esco: [ESCO('a7065828-10aa-4aba-b7d4-f23a30df5060')],
      },
    ],
    criteri: [],
  },
];

/** Writes the example school's rows, as its own system would have them. */
export async function insertExampleSchool(run: Runner): Promise<void> {
  const s = EXAMPLE_SCHOOL;
  await run(
    'INSERT INTO scuola (codice_meccanografico, denominazione, denominazione_en, comune, paese, sito_web) VALUES (?, ?, ?, ?, ?, ?)',
    [s.codice, s.denominazione, s.denominazioneEn, s.comune, s.paese, s.sitoWeb],
  );
  const p = PERCORSO;
  await run(
    `INSERT INTO percorsi (cod_percorso, titolo, titolo_en, descrizione, descrizione_en, livello_eqf, livello_nqf, codice_isced,
       crediti, uri_esco_occupazione, attivo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
    [p.code, p.it, p.en, p.descrizione, p.descrizioneEn, p.eqf, p.nqf, p.isced, p.crediti, p.occupazione],
  );
  for (const m of MODULES) {
    await run(
      `INSERT INTO moduli (cod_modulo, cod_percorso, titolo, titolo_en, livello_eqf, crediti, valido_dal, valido_al, attivo)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [m.code, p.code, m.it, m.en, p.eqf, m.crediti, m.dal, m.al, m.attivo],
    );
    for (const [index, o] of m.outcomes.entries()) {
      await run(
        'INSERT INTO risultati_apprendimento (cod_modulo, progressivo, tipo, enunciato, enunciato_en) VALUES (?, ?, ?, ?, ?)',
        [m.code, index + 1, o.tipo, o.it, o.en],
      );
      for (const uri of o.esco)
        await run('INSERT INTO risultati_esco (cod_modulo, progressivo, uri_abilita) VALUES (?, ?, ?)', [
          m.code,
          index + 1,
          uri,
        ]);
    }
    for (const [index, [it, en]] of m.criteri.entries())
      await run(
        'INSERT INTO criteri_valutazione (cod_modulo, progressivo, criterio, criterio_en) VALUES (?, ?, ?, ?)',
        [m.code, index + 1, it, en],
      );
  }
}
