import { summarizeProfile } from './lib/cpu-profile';

/** `node dist/bench/profile-summary.js <file.cpuprofile> [top]`: top self-time functions and packages of a profile. */
function main(): void {
  const [path, top] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]');
    process.exit(64);
  }
  const summary = summarizeProfile(path, Number(top ?? 25));
  console.log(
    `busy ${summary.busyMs.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms sampled\n\nself time by package:`,
  );
  for (const g of summary.groups.slice(0, 15))
    console.log(`  ${g.percent.toFixed(1).padStart(5)}%  ${g.ms.toFixed(0).padStart(7)} ms  ${g.group}`);
  console.log('\ntop functions by self time:');
  for (const f of summary.functions)
    console.log(`  ${f.percent.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}  ${f.location}`);
}

main();
