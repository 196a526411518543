import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diff, CriticalityLevel } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { composeSupergraph } from '../schema/compose';
import { printKindSdl } from '../schema/federation';
import { buildMobilitiesSchema, MOBILITIES_KIND } from '../subgraphs/mobilities/schema';
import { buildQualificationsSchema, QUALIFICATIONS_KIND } from '../subgraphs/qualifications/schema';
import { buildRecognitionSchema, RECOGNITION_KIND } from '../subgraphs/recognition/schema';
import { projectRoot } from '../platform/project-root';
import { buildStatisticsSchema, STATISTICS_SUBGRAPH } from '../gateway/statistics/schema';

/**
 * Prints each kind's SDL from the code and composes the supergraph from the committed SDL.
 *   write  — regenerate schema/<kind>.graphql and schema/supergraph.graphql
 *   check  — fail when the code and the committed files disagree, listing breaking changes first
 */
const KINDS: Array<{ name: string; build: () => Promise<import('graphql').GraphQLSchema> }> = [
  { name: QUALIFICATIONS_KIND, build: buildQualificationsSchema },
  { name: MOBILITIES_KIND, build: buildMobilitiesSchema },
  { name: RECOGNITION_KIND, build: buildRecognitionSchema },
  // The gateway's own subgraph (ecvetStatistics), answered in-process.
  { name: STATISTICS_SUBGRAPH, build: () => Promise.resolve(buildStatisticsSchema()) },
];

const schemaDir = join(projectRoot(), 'schema');
const sdlPath = (kind: string) => join(schemaDir, `${kind}.graphql`);
const supergraphPath = join(schemaDir, 'supergraph.graphql');

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const generated = await Promise.all(
    KINDS.map(async (kind) => ({ name: kind.name, sdl: printKindSdl(await kind.build()) })),
  );
  const supergraph = composeSupergraph(generated);
  if (mode === 'write') {
    for (const { name, sdl } of generated) writeFileSync(sdlPath(name), sdl);
    writeFileSync(supergraphPath, supergraph);
    console.log(`wrote ${generated.map((g) => `schema/${g.name}.graphql`).join(', ')} and schema/supergraph.graphql`);
    return;
  }
  if (mode !== 'check') throw new Error('usage: schema.ts write|check');
  let drift = false;
  for (const { name, sdl } of generated) {
    const committed = readOrEmpty(sdlPath(name));
    if (committed === sdl) continue;
    drift = true;
    console.error(`schema/${name}.graphql differs from the code.`);
    if (committed) {
      const changes = await diff(
        buildSchema(committed, { assumeValidSDL: true }),
        buildSchema(sdl, { assumeValidSDL: true }),
      );
      const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
      for (const change of breaking) console.error(`  BREAKING: ${change.message}`);
      for (const change of changes.filter((c) => c.criticality.level !== CriticalityLevel.Breaking))
        console.error(`  ${change.criticality.level.toLowerCase()}: ${change.message}`);
      if (changes.length === 0) console.error('  (only formatting or directive differences)');
    }
  }
  if (readOrEmpty(supergraphPath) !== supergraph) {
    drift = true;
    console.error('schema/supergraph.graphql is not the composition of the current SDL.');
  }
  if (drift) {
    console.error('Review the changes above, then run `npm run schema:write` and commit the result.');
    process.exitCode = 1;
  } else {
    console.log('schema: committed SDL and supergraph match the code');
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
