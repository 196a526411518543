import type { Outcome } from './kit';

const xml = (text: string) =>
  text
    // Characters XML 1.0 cannot carry at all, then the five that must be escaped.
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/gu, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const exchangesText = (outcome: Outcome) =>
  outcome.exchanges.map((e, i) => `#${i + 1} sent: ${e.sent}\n#${i + 1} received: ${e.received}`).join('\n');

/** A JUnit XML report (one test case per requirement), as CI systems read them. */
export function junitReport(suite: string, outcomes: readonly Outcome[]): string {
  const failures = outcomes.filter((o) => o.status === 'fail').length;
  const skipped = outcomes.filter((o) => o.status === 'skip').length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = outcomes.reduce((sum, o) => sum + o.ms, 0);
  const cases = outcomes.map((o) => {
    const inner =
      o.status === 'fail'
        ? `<failure message="${xml(o.message)}">${xml(exchangesText(o))}</failure>`
        : o.status === 'skip'
          ? `<skipped message="${xml(o.message)}"/>`
          : `<system-out>${xml(exchangesText(o))}</system-out>`;
    return `    <testcase classname="${xml(suite)}.${xml(o.id)}" name="${xml(o.title)}" time="${seconds(o.ms)}">${inner}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${outcomes.length}" failures="${failures}" skipped="${skipped}" time="${seconds(total)}">`,
    `  <testsuite name="${xml(suite)}" tests="${outcomes.length}" failures="${failures}" skipped="${skipped}" time="${seconds(total)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** What the terminal shows: one line per requirement, and for a failure what was sent and received. */
export function textReport(outcomes: readonly Outcome[], verbose = false): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    const mark = o.status === 'pass' ? 'PASS' : o.status === 'fail' ? 'FAIL' : 'SKIP';
    lines.push(`${mark} ${o.id}: ${o.title}${o.message ? `\n     ${o.message}` : ''}`);
    if (o.status === 'fail' || verbose)
      for (const line of exchangesText(o).split('\n')) if (line) lines.push(`     ${line}`);
  }
  const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length;
  lines.push(`${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`);
  return lines.join('\n');
}
