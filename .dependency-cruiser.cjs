/**
 * The layout rules of DESIGN §7 and issue 18, checked by `npm run deps:check`. Paths are relative to the
 * project root; type-only imports count too (a type pulled from a shard's module still ties the two together).
 */
const KINDS = '(qualifications|mobilities|recognition)';
/** Test code: suites, fixtures, and everything under test/ (the harness and its helpers). */
const TEST_CODE = ['^test/', '\\.test\\.ts$', '\\.fixture\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'gateway-not-to-subgraphs',
      comment: 'The gateway reaches shards only over HTTP; what it shares with them lives in platform/.',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: '^subgraphs/' },
    },
    {
      name: 'platform-not-to-gateway-or-subgraphs',
      comment: 'platform/ is what the gateway and the shards both run; it depends on neither side.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(gateway|subgraphs)/' },
    },
    {
      name: 'subgraphs-not-to-gateway',
      comment: 'A shard runs without the gateway: what both sides need lives in platform/.',
      severity: 'error',
      from: { path: '^subgraphs/' },
      to: { path: '^gateway/' },
    },
    {
      name: 'kind-not-to-other-kind',
      comment: 'Subgraph kinds meet only through federation, so no kind imports another.',
      severity: 'error',
      from: { path: `^subgraphs/${KINDS}/` },
      to: { path: `^subgraphs/${KINDS}/`, pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'shared-not-to-kind',
      comment: 'subgraphs/shared/ serves every kind; reaching into one would let kinds meet through it.',
      severity: 'error',
      from: { path: '^subgraphs/shared/' },
      to: { path: `^subgraphs/${KINDS}/` },
    },
    {
      name: 'school-system-stands-alone',
      comment:
        'The school system shard is a second, independent implementation of the contract: it uses schema/ (the contract) and platform/ (the hop), never the reference shards.',
      severity: 'error',
      from: { path: '^subgraphs/school-system/' },
      to: { path: '^subgraphs/', pathNot: '^subgraphs/school-system/' },
    },
    {
      name: 'schema-not-to-implementation',
      comment: 'schema/ holds the shared types and the SDL; it imports no implementation.',
      severity: 'error',
      from: { path: '^schema/' },
      to: { path: '^(gateway|subgraphs|platform|scripts|bench|test)/' },
    },
    {
      name: 'production-not-to-test',
      comment: 'Tests may use the harness under test/; code that ships never does.',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|third_party)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
