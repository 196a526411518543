import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readSigningKey } from '../../platform/hop-keys';
import { isInstitutionCode } from '../../schema/ids';
import { isShardKind, junitReport, KINDS, requirementsFor, runRequirements, textReport, type Outcome } from '.';

/**
 * `npm run conformance -- --kind qualifications --url <shard GraphQL URL> --institution <code>
 *   [--hop-key <file or PEM/JWK>] [--write] [--report <file>] [--verbose]`
 * checks a shard against schema/CONTRACT.md: one line per requirement, what was sent and received for each
 * failure, a JUnit report (default conformance-<kind>-<institution>.xml), exit code 1 when any failed.
 * Read-only unless --write (then against a test institution: it writes values back as they were).
 */
const USAGE =
  'usage: npm run conformance -- --kind <qualifications|mobilities|recognition> --url <shard URL> --institution <code> [--hop-key <file|key>] [--write] [--report <file>] [--verbose]';

export interface ConformanceRun {
  outcomes: Outcome[];
  passed: boolean;
}

export async function conformance(argv: string[]): Promise<ConformanceRun & { text: string; reportPath: string }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kind: { type: 'string' },
      url: { type: 'string' },
      institution: { type: 'string' },
      'hop-key': { type: 'string' },
      write: { type: 'boolean', default: false },
      report: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const { kind, url, institution } = values;
  if (!kind || !isShardKind(kind)) throw new Error(`--kind must be one of ${KINDS.join(', ')}\n${USAGE}`);
  if (!url || !URL.canParse(url))
    throw new Error(`--url must be the shard's GraphQL URL, e.g. http://127.0.0.1:4101/graphql\n${USAGE}`);
  if (!institution || !isInstitutionCode(institution))
    throw new Error(`--institution must be an institution code such as rvt.lv\n${USAGE}`);
  const keyText = values['hop-key'];
  const hopKey = keyText
    ? await readSigningKey(existsSync(keyText) ? readFileSync(keyText, 'utf8') : keyText, '--hop-key')
    : null;
  const outcomes = await runRequirements(
    { kind, url, institution, hopKey, write: values.write },
    requirementsFor(kind, institution),
  );
  const reportPath = resolve(values.report ?? `conformance-${kind}-${institution}.xml`);
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, junitReport(`conformance.${kind}.${institution}`, outcomes));
  return {
    outcomes,
    passed: outcomes.every((o) => o.status !== 'fail'),
    text: textReport(outcomes, values.verbose),
    reportPath,
  };
}

if (require.main === module) {
  conformance(process.argv.slice(2))
    .then((run) => {
      console.log(run.text);
      console.log(`report: ${run.reportPath}`);
      process.exit(run.passed ? 0 : 1);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    });
}
