#!/usr/bin/env node
'use strict';
// Compiles the project (tsc -p .) only when a source or a build setting is newer than the last build, so
// `npm run token`, `npm start` and the other scripts start at once when nothing changed. Plain JavaScript:
// it must run before anything is compiled.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// Its own stamp, not tsc's build info: `tsc --noEmit` (a type check) writes that too, without building.
const stamp = join(root, 'dist', '.build-stamp');
const SOURCES = ['platform', 'gateway', 'subgraphs', 'schema', 'scripts', 'test', 'bench'];
const SETTINGS = ['tsconfig.json', 'package-lock.json'];

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestIn(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function newestSource() {
  let newest = 0;
  for (const dir of SOURCES) if (existsSync(join(root, dir))) newest = Math.max(newest, newestIn(join(root, dir)));
  for (const file of SETTINGS)
    if (existsSync(join(root, file))) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  return newest;
}

if (!existsSync(stamp) || statSync(stamp).mtimeMs < newestSource()) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
