import { posix } from 'node:path';

/** The Dockerfile, split into stages of instructions: what the compose and image-build tests read. */

export interface Instruction {
  keyword: string;
  args: string;
}
export interface Stage {
  name: string | undefined;
  base: string;
  instructions: Instruction[];
  workdir: string;
}

export function dockerfileInstructions(text: string): Instruction[] {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*#/.test(raw)) continue; // comments, also between continuation lines
    const line = raw.trimEnd();
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') lines.push(current.trim());
    current = '';
  }
  return lines.map((line) => {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) throw new Error(`Unreadable Dockerfile line ${line}`);
    return { keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '' };
  });
}

export function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`Unreadable FROM ${instruction.args}`);
      stages.push({ name: match[2], base: match[1] ?? '', instructions: [], workdir: '/' });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${instruction.keyword} before FROM`);
    stage.instructions.push(instruction);
    if (instruction.keyword === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, instruction.args);
  }
  return stages;
}

/** Exec form only: shell form would put /bin/sh in front of node and keep SIGTERM from the process. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  /** Absolute path in the image. */
  destination: string;
}

export function copiesOf(stage: Stage): Copy[] {
  let workdir = '/';
  const copies: Copy[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'WORKDIR') workdir = posix.resolve(workdir, instruction.args);
    if (instruction.keyword !== 'COPY') continue;
    const words = execForm(instruction.args) ?? instruction.args.split(/\s+/);
    const flags = words.filter((word) => word.startsWith('--'));
    const paths = words.filter((word) => !word.startsWith('--'));
    const destination = paths.at(-1);
    if (!destination || paths.length < 2) throw new Error(`Unreadable COPY ${instruction.args}`);
    copies.push({
      from: flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length),
      sources: paths.slice(0, -1),
      destination: posix.resolve(workdir, destination),
    });
  }
  return copies;
}

export function globMatches(glob: string, name: string): boolean {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${pattern}$`).test(name);
}

/** The stage's shell commands joined, for "does it run npm ci" kinds of questions. */
export const runsOf = (stage: Stage): string =>
  stage.instructions
    .filter((i) => i.keyword === 'RUN')
    .map((i) => i.args)
    .join(' && ');
