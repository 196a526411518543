import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../../platform/project-root';
import { testDatabases, type TestDatabases } from '../../../test/harness/databases';
import { openDatabase, type Database } from '../../shared/database';
import { recognitionEntities, recognitionMigrations } from '../entities';
import { EscoBroaderRecord, EscoConceptRecord } from './esco.entity';
import { formatEscoReport, importEsco } from './esco.import';

/** The ESCO v1.2.0 subset shipped under third_party/esco (see its README). */
const ESCO_FIXTURES = join(projectRoot(), 'third_party', 'esco');
const skill = (uuid: string) => `http://data.europa.eu/esco/skill/${uuid}`;

let databases: TestDatabases;
let db: Database;
beforeAll(async () => {
  databases = testDatabases();
  db = await openDatabase({
    url: databases.url('esco_import'),
    entities: recognitionEntities,
    migrations: recognitionMigrations,
  });
});
afterAll(async () => {
  await db?.close();
  await databases?.dispose();
});

test('imports labels, types, codes and broader relations from the ESCO files', async () => {
  const report = await importEsco(db, ESCO_FIXTURES);
  expect(report.files.map((f) => [f.file, f.kind])).toEqual([
    ['digitalSkillsCollection_en.csv', 'concepts'],
    ['greenSkillsCollection_en.csv', 'concepts'],
    ['occupations_en.csv', 'concepts'],
    ['skillGroups_en.csv', 'concepts'],
    ['transversalSkillsCollection_en.csv', 'concepts'],
  ]);
  // 18 + 34 + 8 + 299 + 95 rows of the subset; skills in several collections count once.
  expect(report.files.map((f) => f.rows)).toEqual([18, 34, 8, 299, 95]);
  expect(report.concepts).toEqual({ read: 441, added: 441, changed: 0, unchanged: 0 });
  expect(report.relations).toEqual({ read: 158, added: 158, removed: 0, unchanged: 0 });
  expect(formatEscoReport('esco', report)).toMatch(/concepts: +441 read, 441 added/);

  const manager = db.dataSource.manager;
  expect(await manager.findOneBy(EscoConceptRecord, { uri: skill('24a39c1b-b8cc-4210-8b74-b388a90e8f59') })).toEqual(
    expect.objectContaining({
      conceptType: 'SkillGroup',
      preferredLabel: 'joining parts using soldering, welding or brazing techniques',
      skillType: null,
    }),
  );
  expect(await manager.findOneBy(EscoConceptRecord, { uri: skill('9c0f93f7-2592-4d4d-9673-fd640502345f') })).toEqual(
    expect.objectContaining({
      preferredLabel: 'use equipment, tools or technology with precision',
      skillType: 'skill/competence',
      reuseLevel: 'transversal',
    }),
  );
  // A label with a trailing space in the distribution is stored trimmed.
  expect(
    (await manager.findOneBy(EscoConceptRecord, { uri: skill('c4180af3-befd-4bd8-9a65-6a496f9d9f15') }))
      ?.preferredLabel,
  ).toBe('demonstrate awareness of health risks');
  expect(
    await manager.findOneBy(EscoConceptRecord, {
      uri: 'http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b',
    }),
  ).toEqual(expect.objectContaining({ conceptType: 'Occupation', preferredLabel: 'welder', code: '7212.3' }));
  expect((await manager.findOneBy(EscoConceptRecord, { uri: 'http://data.europa.eu/esco/isced-f/0715' }))?.code).toBe(
    '0715',
  );

  // "calculate solar panel orientation" has three broader concepts, separated by " | " in one field.
  const broader = await manager.find(EscoBroaderRecord, {
    where: { conceptUri: skill('5bf756dd-a54a-47cd-80fe-3418fedd1c51') },
    order: { broaderUri: 'ASC' },
  });
  expect(broader.map((b) => b.broaderUri)).toEqual([
    skill('19ba11f3-9c99-41fd-a7c9-f77e6a026186'),
    skill('7832b684-580c-4eaf-a8b3-322164b041ab'),
    skill('f5f15f9c-6334-4728-8dc5-3a20a00dfc37'),
  ]);
});

test('a second import of the same files changes nothing', async () => {
  const report = await importEsco(db, ESCO_FIXTURES);
  expect(report.concepts).toEqual({ read: 441, added: 0, changed: 0, unchanged: 441 });
  expect(report.relations).toEqual({ read: 158, added: 0, removed: 0, unchanged: 158 });
  expect(await db.dataSource.manager.count(EscoConceptRecord)).toBe(441);
  expect(await db.dataSource.manager.count(EscoBroaderRecord)).toBe(158);
});

describe('a later release', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'esco-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test('updates a changed label and replaces the broader relations the files state for a concept', async () => {
    // Full-distribution layout: skills without broader column, relations in their own file.
    writeFileSync(
      join(folder, 'skills_en.csv'),
      'conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,description\n' +
        `KnowledgeSkillCompetence,${skill('9c0f93f7-2592-4d4d-9673-fd640502345f')},skill/competence,transversal,"use tools, precisely","a\nb",x\n`,
    );
    writeFileSync(
      join(folder, 'broaderRelationsSkillPillar_en.csv'),
      `conceptType,conceptUri,broaderType,broaderUri\nKnowledgeSkillCompetence,${skill('9c0f93f7-2592-4d4d-9673-fd640502345f')},SkillGroup,${skill('24a39c1b-b8cc-4210-8b74-b388a90e8f59')}\n`,
    );
    writeFileSync(join(folder, 'occupationSkillRelations_en.csv'), 'occupationUri,relationType,skillType,skillUri\n');
    const report = await importEsco(db, folder);
    expect(report.files.map((f) => [f.file, f.kind])).toEqual([
      ['broaderRelationsSkillPillar_en.csv', 'relations'],
      ['occupationSkillRelations_en.csv', 'ignored'],
      ['skills_en.csv', 'concepts'],
    ]);
    expect(report.concepts).toEqual({ read: 1, added: 0, changed: 1, unchanged: 0 });
    expect(report.relations).toEqual({ read: 1, added: 1, removed: 1, unchanged: 0 });
    const manager = db.dataSource.manager;
    expect(
      (await manager.findOneBy(EscoConceptRecord, { uri: skill('9c0f93f7-2592-4d4d-9673-fd640502345f') }))
        ?.preferredLabel,
    ).toBe('use tools, precisely');
    const broader = await manager.findBy(EscoBroaderRecord, {
      conceptUri: skill('9c0f93f7-2592-4d4d-9673-fd640502345f'),
    });
    expect(broader.map((b) => b.broaderUri)).toEqual([skill('24a39c1b-b8cc-4210-8b74-b388a90e8f59')]);
    // Concepts the files say nothing about keep their relations.
    expect(await manager.count(EscoBroaderRecord)).toBe(158);
  });
});

test('a missing folder, or one without ESCO concept files, is an error naming it', async () => {
  await expect(importEsco(db, '/nonexistent/esco')).rejects.toThrow('ESCO folder /nonexistent/esco does not exist');
  const empty = mkdtempSync(join(tmpdir(), 'esco-empty-'));
  try {
    await expect(importEsco(db, empty)).rejects.toThrow(`${empty} holds no ESCO concept CSV file`);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
