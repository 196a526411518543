import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (as `node --cpu-prof` writes it) that a self-time summary needs. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Where it is: package, node internal or project file, with line. */
  location: string;
  /** Self time in ms. */
  ms: number;
  /** Share of the busy (non-idle) time, 0-100. */
  percent: number;
}

export interface ProfileSummary {
  /** Whether only the samples inside the requested window were counted (false: the whole profile). */
  windowed: boolean;
  totalMs: number;
  busyMs: number;
  functions: SelfTime[];
  /** Self time by package (node_modules/<pkg>), node internals, project folder, GC… */
  groups: Array<{ group: string; ms: number; percent: number }>;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** node_modules/@scope/pkg → "@scope/pkg"; node:internal → "node"; project files → their top folder. */
export function groupOf(url: string, name: string): string {
  if (SPECIAL.has(name)) return name;
  if (url === '') return '(native / builtins)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node (internals)';
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return `project: ${url
      .slice(dist + '/dist/'.length)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return url;
}

function shortLocation(url: string, line: number): string {
  const modules = url.lastIndexOf('node_modules/');
  const short =
    modules >= 0
      ? url.slice(modules + 'node_modules/'.length)
      : url.includes('/dist/')
        ? url.slice(url.indexOf('/dist/') + 6)
        : url;
  return short ? `${short.replace(/^file:\/\//, '')}:${line + 1}` : '(native)';
}

/**
 * Self time per function and per package. `window` (µs of CLOCK_MONOTONIC, the clock V8 stamps samples with
 * on Linux, as `process.hrtime` reads it) keeps only the samples taken while the load ran, leaving start-up
 * out; when no sample falls inside it, the whole profile is summarized.
 */
export function summarizeProfile(path: string, top = 20, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const tally = (inside: (timeUs: number) => boolean) => {
    const self = new Map<number, number>();
    let time = profile.startTime + (profile.timeDeltas[0] ?? 0);
    // timeDeltas[i] is the time before sample i: it is spent in the node sampled at i - 1.
    for (let i = 1; i < profile.samples.length; i += 1) {
      const delta = profile.timeDeltas[i] ?? 0;
      time += delta;
      if (!inside(time)) continue;
      const previous = profile.samples[i - 1] as number;
      self.set(previous, (self.get(previous) ?? 0) + delta / 1_000);
    }
    return self;
  };
  let windowed = false;
  let selfById = tally(() => true);
  if (window) {
    const inWindow = tally((t) => t >= window.fromUs && t <= window.toUs);
    const sampledMs = [...inWindow.values()].reduce((a, b) => a + b, 0);
    if (sampledMs > 0.5 * ((window.toUs - window.fromUs) / 1_000)) {
      selfById = inWindow;
      windowed = true;
    }
  }
  const functions = new Map<string, SelfTime>();
  const groups = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of selfById) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    totalMs += ms;
    if (name === '(idle)') {
      idleMs += ms;
      continue;
    }
    const location = SPECIAL.has(name) ? '' : shortLocation(url, lineNumber);
    const key = `${name}\u0000${location}`;
    const entry = functions.get(key) ?? { name, location, ms: 0, percent: 0 };
    entry.ms += ms;
    functions.set(key, entry);
    const group = groupOf(url, name);
    groups.set(group, (groups.get(group) ?? 0) + ms);
  }
  const busyMs = totalMs - idleMs;
  const percent = (ms: number) => (busyMs > 0 ? (100 * ms) / busyMs : 0);
  return {
    windowed,
    totalMs,
    busyMs,
    functions: [...functions.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, percent: percent(f.ms) })),
    groups: [...groups.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([group, ms]) => ({ group, ms, percent: percent(ms) })),
  };
}
