import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { In } from 'typeorm';
import {
  agreementTerms,
  CREATE_LEARNING_AGREEMENT,
  SIGN_LEARNING_AGREEMENT,
} from '../../scripts/fixtures/learning-agreements';
import { mintDemoToken } from '../../scripts/token';
import { sortKeyOf } from '../../schema/cursor';
import { entityId } from '../../schema/ids';
import { AgreementParty, AgreementStatus } from '../../schema/mobility/enums';
import { addDays, today } from '../../subgraphs/mobilities/dates';
import { startMobilitiesShard, type MobilitiesShard } from '../../subgraphs/mobilities';
import {
  AgreementSignatureRecord,
  AgreementVersionRecord,
  LearningAgreementRecord,
} from '../../subgraphs/mobilities/learning-agreement/learning-agreement.entity';
import { openQualificationsDatabase, startQualificationsShard } from '../../subgraphs/qualifications';
import type { KindShard } from '../../subgraphs/shared/kind';
import { freePort } from '../../scripts/processes';
import { generateHopKeyPair } from '../../platform/hop-keys';
import type { BenchContext } from '../lib/context';
import { bulkSeed, loadTemplates, scaledData, type ScaledData } from '../lib/data';

/**
 * The federation of the nested scenario, in the bench process (so that every shard's statement counter can be
 * read): a sending institution (bench-01) with a mobilities shard holding the learning agreements, and hosting
 * institutions (bench-02…) whose qualifications shards own the agreed units. Every institution has both kinds,
 * as in a real federation: the hub sends `learningAgreements` to every mobilities shard.
 */

export const HOSTS = 4;
/** Distinct units per host: the largest page (100 agreements, one unit each, hosts in turn) uses 25. */
export const UNITS_PER_HOST = 30;
const SENDING_UNITS = 10;

export interface BenchShard {
  /** e.g. "mobilities bench-01.example (sending)". */
  label: string;
  kind: 'qualifications' | 'mobilities';
  role: 'sending' | 'hosting';
  institution: string;
  shard: KindShard;
}

export interface Federation {
  sending: string;
  hosts: string[];
  /** The sending mobilities shard first once it started, then the others. */
  shards: BenchShard[];
  registryPath: string;
  /** What the qualifications shards hold: the sending institution's, then each host's. */
  data: ScaledData[];
  /** Starts the sending mobilities shard where the registry says, checking new agreements through `hubUrl`. */
  startSendingMobilities(hubUrl: string): Promise<MobilitiesShard>;
}

interface RegistryEntry {
  code: string;
  names: Array<{ lang: string; value: string }>;
  country: string;
  shards: { qualifications: string; mobilities: string };
  /** The sending mobilities shard's service public key: it checks agreements through the hub. */
  serviceJwks?: { mobilities: JSONWebKeySet };
}

export async function startFederation(context: BenchContext): Promise<Federation> {
  const templates = loadTemplates();
  const data = [
    scaledData(templates, 1, SENDING_UNITS),
    ...Array.from({ length: HOSTS }, (_, h) => scaledData(templates, h + 2, UNITS_PER_HOST)),
  ];
  const shards: BenchShard[] = [];
  const entries: RegistryEntry[] = [];
  let sendingPort = 0;
  const sendingService = await generateHopKeyPair();
  const hopKeys = createLocalJWKSet(context.hopKeys.publicKeys);
  // Each in-process shard's ApolloServer adds a SIGINT and a SIGTERM handler until it stops: ten shards are no leak.
  const maxListeners = process.getMaxListeners();
  process.setMaxListeners(maxListeners + 2 * (HOSTS + 1));
  context.cleanup.add('restore the process listener limit', async () => void process.setMaxListeners(maxListeners));
  for (const [index, institution] of data.entries()) {
    const code = institution.institution.code;
    const role = index === 0 ? 'sending' : 'hosting';
    const databaseUrl = `sqlite:${join(context.tmp, `${code}-qualifications.sqlite`)}`;
    const seedDb = await openQualificationsDatabase(databaseUrl);
    try {
      await bulkSeed(seedDb, institution);
    } finally {
      await seedDb.close();
    }
    const qualifications = await startQualificationsShard({ institution: code, databaseUrl, hopKeys });
    context.cleanup.add(`stop qualifications ${code}`, () => qualifications.close());
    shards.push({
      label: `qualifications ${code} (${role})`,
      kind: 'qualifications',
      role,
      institution: code,
      shard: qualifications,
    });
    let mobilitiesUrl: string;
    if (role === 'sending') {
      // Started after the hub (it checks new agreements through it); its port is chosen now for the registry.
      sendingPort = await freePort();
      mobilitiesUrl = `http://127.0.0.1:${sendingPort}/graphql`;
    } else {
      const mobilities = await startMobilitiesShard({
        institution: code,
        databaseUrl: `sqlite:${join(context.tmp, `${code}-mobilities.sqlite`)}`,
        hopKeys,
      });
      context.cleanup.add(`stop mobilities ${code}`, () => mobilities.close());
      shards.push({
        label: `mobilities ${code} (hosting)`,
        kind: 'mobilities',
        role,
        institution: code,
        shard: mobilities,
      });
      mobilitiesUrl = mobilities.url;
    }
    entries.push({
      code,
      names: institution.institution.names,
      country: institution.institution.country,
      shards: { qualifications: qualifications.url, mobilities: mobilitiesUrl },
      ...(role === 'sending' ? { serviceJwks: { mobilities: sendingService.publicKeys } } : {}),
    });
  }
  const registryPath = join(context.tmp, 'nested.registry.json');
  writeFileSync(registryPath, `${JSON.stringify({ institutions: entries }, null, 2)}\n`);
  const sending = entries[0]?.code ?? '';
  return {
    sending,
    hosts: entries.slice(1).map((e) => e.code),
    shards,
    registryPath,
    data,
    async startSendingMobilities(hubUrl: string) {
      const shard = await startMobilitiesShard({
        institution: sending,
        databaseUrl: `sqlite:${join(context.tmp, `${sending}-mobilities.sqlite`)}`,
        hopKeys,
        serviceKey: sendingService.key,
        hubUrl,
        port: sendingPort,
        host: '127.0.0.1',
      });
      context.cleanup.add(`stop mobilities ${sending}`, () => shard.close());
      shards.unshift({
        label: `mobilities ${sending} (sending)`,
        kind: 'mobilities',
        role: 'sending',
        institution: sending,
        shard,
      });
      return shard;
    },
  };
}

type Answer = { data?: Record<string, unknown> | null; errors?: Array<{ message: string }> };

async function call(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Answer;
  if (body.errors?.length || !body.data)
    throw new Error(
      `nested setup: ${body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status} without data`}`,
    );
  return body.data;
}

/** The unit agreement `i` (0-based) takes: hosts in turn, each host's units in order, so a page holds distinct units. */
function unitOf(data: readonly ScaledData[], i: number) {
  const host = data[1 + (i % HOSTS)] as ScaledData;
  const unit = host.units[Math.floor(i / HOSTS) % UNITS_PER_HOST];
  if (!unit) throw new Error(`host ${host.institution.code} has no unit for agreement ${i}`);
  const code = host.institution.code;
  const outcomes = host.outcomes.filter((o) => o.unitId === unit.id).sort((a, b) => a.position - b.position);
  return {
    host: code,
    unitId: entityId(code, unit.id),
    ecvetPoints: unit.ecvetPoints,
    outcomeIds: outcomes.map((o) => entityId(code, o.id)),
  };
}

const MOBILITY_START = addDays(today(), 30);
const MOBILITY_END = addDays(MOBILITY_START, 42);

/** What a coordinator of the sending institution would send to create agreement `i` (0-based). */
function agreementInput(data: readonly ScaledData[], sending: string, i: number) {
  const n = String(i + 1).padStart(4, '0');
  const unit = unitOf(data, i);
  const home = data[0]?.qualifications[0];
  if (!home) throw new Error('the sending institution has no qualification');
  return {
    localId: `LA-BENCH-${n}`,
    hostingInstitution: unit.host,
    memorandumId: entityId(sending, 'MOU-BENCH'),
    learner: {
      localId: `L-${n}`,
      name: `Bench learner ${n}`,
      dateOfBirth: '2006-05-17',
      email: `learner-${n}@${sending}`,
      homeQualificationId: entityId(sending, home.id),
      progress: '2nd year, 60 of 120 ECVET points',
    },
    sendingContact: { name: 'Mobility coordinator', position: 'Coordinator', email: `mobility@${sending}` },
    hostingContact: { name: 'International office', position: 'Coordinator', email: `mobility@${unit.host}` },
    terms: agreementTerms(
      MOBILITY_START,
      MOBILITY_END,
      [[unit.unitId, unit.ecvetPoints]],
      'Workshop master of the host',
    ),
  };
}

/**
 * `count` signed learning agreements at the sending shard. The memorandum and the first agreement go through
 * the hub's API as in scripts/demo-mobilities.ts (proposed, signed by every partner; created with the hub's
 * checks, signed by the three parties); the others are that agreement's rows copied with what `agreementInput`
 * changes (IDs, learner, hosting institution, the unit and its points and outcomes), as the service would write
 * them. Not copied: the audit entries and outbox events of the writes, which no read touches.
 */
export async function seedAgreements(
  federation: Federation,
  sendingMobilities: MobilitiesShard,
  hubUrl: string,
  tokenSecret: string,
  count: number,
): Promise<void> {
  const { sending, hosts, data } = federation;
  const coordinator = (institution: string) =>
    mintDemoToken({ institution, roles: ['coordinator'], secret: tokenSecret });
  const sendingToken = await coordinator(sending);
  const proposed = await call(
    hubUrl,
    sendingToken,
    'mutation($input: ProposeMemorandumInput!) { proposeMemorandum(input: $input) { id contentHash } }',
    {
      input: {
        localId: 'MOU-BENCH',
        titles: [{ lang: 'en', value: 'ECVET partnership of the bench schools' }],
        partners: hosts,
        qualificationIds: data.slice(1).flatMap((d) => d.qualifications.map((q) => entityId(d.institution.code, q.id))),
        procedures: {
          assessment: "The host assesses agreed units against the sending school's assessment criteria.",
          documentation: 'The host issues a transcript of records.',
          validation: 'The sending school checks the transcript against the learning agreement.',
          recognition: 'Units achieved abroad are recognised as the corresponding units of the home qualification.',
        },
        validFrom: addDays(today(), -365),
        validUntil: addDays(today(), 3 * 365),
      },
    },
  );
  const { id: memorandumId, contentHash } = proposed.proposeMemorandum as { id: string; contentHash: string };
  const signMou =
    'mutation($id: ID!, $h: String!) { signMemorandum(id: $id, contentHash: $h, signature: { signerName: "Director", signerPosition: "Director" }) { status } }';
  for (const institution of [sending, ...hosts])
    await call(hubUrl, await coordinator(institution), signMou, { id: memorandumId, h: contentHash });

  const first = agreementInput(data, sending, 0);
  const created = await call(hubUrl, sendingToken, CREATE_LEARNING_AGREEMENT, { input: first });
  const id = (created.createLearningAgreement as { id: string }).id;
  await call(hubUrl, sendingToken, SIGN_LEARNING_AGREEMENT, {
    id,
    n: first.sendingContact.name,
    p: first.sendingContact.position,
  });
  await call(hubUrl, await coordinator(first.hostingInstitution), SIGN_LEARNING_AGREEMENT, {
    id,
    n: first.hostingContact.name,
    p: first.hostingContact.position,
  });
  const learnerToken = await mintDemoToken({
    institution: sending,
    roles: ['learner'],
    learnerId: entityId(sending, first.learner.localId),
    secret: tokenSecret,
  });
  await call(hubUrl, learnerToken, SIGN_LEARNING_AGREEMENT, { id, n: first.learner.name, p: 'learner' });

  const manager = sendingMobilities.db.dataSource.manager;
  const template = await manager.findOneByOrFail(LearningAgreementRecord, { id: first.localId });
  const versions = await manager.findBy(AgreementVersionRecord, { agreementId: first.localId });
  const signatures = await manager.findBy(AgreementSignatureRecord, { agreementId: first.localId });
  const version = versions[0];
  const agreed = version?.content.units[0];
  if (
    template.status !== AgreementStatus.SIGNED ||
    versions.length !== 1 ||
    !version ||
    !agreed ||
    signatures.length !== 3
  ) {
    throw new Error(
      `nested setup: the API-made agreement is ${template.status} with ${versions.length} version(s) and ${signatures.length} signature(s)`,
    );
  }
  // The copies carry outcome IDs as the service fills them from the hub's answer; the template proves the order.
  if (JSON.stringify(agreed.learningOutcomeIds) !== JSON.stringify(unitOf(data, 0).outcomeIds)) {
    throw new Error(
      `nested setup: the service stored outcomes ${agreed.learningOutcomeIds.join(', ')}, not ${unitOf(data, 0).outcomeIds.join(', ')}`,
    );
  }

  const agreements: LearningAgreementRecord[] = [];
  const copiedVersions: AgreementVersionRecord[] = [];
  const copiedSignatures: AgreementSignatureRecord[] = [];
  for (let i = 1; i < count; i += 1) {
    const input = agreementInput(data, sending, i);
    const unit = unitOf(data, i);
    const learnerId = entityId(sending, input.learner.localId);
    agreements.push(
      Object.assign(new LearningAgreementRecord(), template, {
        id: input.localId,
        hostingInstitution: input.hostingInstitution,
        learnerId,
        learner: { ...template.learner, id: learnerId, name: input.learner.name, email: input.learner.email },
        hostingContact: { ...input.hostingContact },
        sortKey: sortKeyOf(`${input.terms.mobilityStart} ${input.learner.name}`),
      }),
    );
    copiedVersions.push(
      Object.assign(new AgreementVersionRecord(), version, {
        agreementId: input.localId,
        content: {
          ...version.content,
          units: [
            { ...agreed, unitId: unit.unitId, ecvetPoints: unit.ecvetPoints, learningOutcomeIds: unit.outcomeIds },
          ],
        },
      }),
    );
    for (const signature of signatures) {
      copiedSignatures.push(
        Object.assign(new AgreementSignatureRecord(), signature, {
          agreementId: input.localId,
          signerName: signature.party === AgreementParty.LEARNER ? input.learner.name : signature.signerName,
        }),
      );
    }
  }
  await manager.transaction(async (tx) => {
    // Chunks keep each INSERT well under SQLite's bound-parameter limit.
    for (let i = 0; i < agreements.length; i += 50) {
      await tx.insert(LearningAgreementRecord, agreements.slice(i, i + 50));
      await tx.insert(AgreementVersionRecord, copiedVersions.slice(i, i + 50));
    }
    for (let i = 0; i < copiedSignatures.length; i += 100)
      await tx.insert(AgreementSignatureRecord, copiedSignatures.slice(i, i + 100));
  });
  const stored = await manager.countBy(LearningAgreementRecord, {
    id: In([first.localId, ...agreements.map((a) => a.id)]),
  });
  if (stored !== count) throw new Error(`nested setup: ${stored} agreements stored, expected ${count}`);
}
