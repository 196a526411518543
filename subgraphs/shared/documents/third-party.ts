import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project's `third_party/` folder (official schemas and their licences), found from the sources or from
 * dist/. A missing folder is a broken installation, so it fails loudly, naming where it looked.
 */
export function thirdPartyDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'third_party', 'README.md'))) return join(dir, 'third_party');
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`No third_party/ folder above ${from}: the official schemas are missing from this installation`);
    dir = parent;
  }
}

export function readThirdParty(...parts: string[]): string {
  return readFileSync(join(thirdPartyDir(), ...parts), 'utf8');
}
