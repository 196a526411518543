import { XMLParser } from 'fast-xml-parser';

/**
 * Reads an ELMO document that passed the XSD into plain data: the learner, and per report its issuer and the
 * learning opportunities that stand for units (a "Degree Programme" is a container: its parts are read
 * instead). Every node keeps the line it starts on, so rule errors can name it.
 */
export interface ElmoIdentifier {
  type: string;
  value: string;
}

export interface ElmoText {
  lang: string | null;
  value: string;
}

export interface ElmoOpportunity {
  line: number;
  identifiers: ElmoIdentifier[];
  titles: ElmoText[];
  /** passed, failed or in-progress; ELMO says an absent status means passed. */
  status: 'passed' | 'failed' | 'in-progress';
  /** The date the learner finished (or, failing that, the end of the academic term), YYYY-MM-DD. */
  date: string | null;
  grade: string | null;
  credits: Array<{ scheme: string; value: number | null }>;
  /** Results per learning outcome, from the hub's own extension where the file carries it. */
  outcomes: Array<{ id: string; result: string | null; line: number }>;
}

export interface ElmoReport {
  line: number;
  issuer: { country: string | null; identifiers: ElmoIdentifier[]; titles: ElmoText[] };
  issueDate: string;
  opportunities: ElmoOpportunity[];
}

export interface ElmoFile {
  learner: { identifiers: ElmoIdentifier[]; givenNames: string; familyName: string; bday: string | null };
  reports: ElmoReport[];
}

/** A parsed node: text under "#text", attributes under "@_name", children by name. */
type XmlNode = { [key: string]: XmlNode | XmlNode[] | string | undefined };

const ARRAYS = new Set([
  'report',
  'learningOpportunitySpecification',
  'identifier',
  'title',
  'credit',
  'hasPart',
  'learningOutcome',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  alwaysCreateTextNode: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  captureMetaData: true,
  jPath: true,
  isArray: (name, path) => ARRAYS.has(name) || (name === 'level' && !String(path).endsWith('credit.level')),
});
const META = XMLParser.getMetaDataSymbol() as unknown as string;

/** Line numbers from character offsets: the offsets where each line starts, searched by halves. */
function lineIndex(source: string): (node: unknown) => number {
  const starts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return (node) => {
    const offset = (node as Record<string, { startIndex?: number } | undefined> | undefined)?.[META]?.startIndex;
    if (offset === undefined) return 0;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

const child = (node: XmlNode | undefined, name: string): XmlNode | undefined => {
  const value = node?.[name];
  return Array.isArray(value) ? value[0] : typeof value === 'object' ? value : undefined;
};
const children = (node: XmlNode | undefined, name: string): XmlNode[] => {
  const value = node?.[name];
  return Array.isArray(value) ? value : typeof value === 'object' ? [value] : [];
};
const text = (node: XmlNode | undefined): string | null => {
  const value = node?.['#text'];
  return typeof value === 'string' ? value : null;
};
const attribute = (node: XmlNode | undefined, name: string): string | null => {
  const value = node?.[`@_${name}`];
  return typeof value === 'string' ? value : null;
};
const identifiers = (node: XmlNode | undefined): ElmoIdentifier[] =>
  children(node, 'identifier').map((i) => ({ type: attribute(i, 'type') ?? '', value: text(i) ?? '' }));
const texts = (nodes: XmlNode[]): ElmoText[] =>
  nodes.map((n) => ({ lang: attribute(n, 'lang'), value: text(n) ?? '' }));
const day = (value: string | null) => (value ? value.slice(0, 10) : null);

function opportunity(lineOf: (node: unknown) => number, spec: XmlNode): ElmoOpportunity {
  const instance = child(child(spec, 'specifies'), 'learningOpportunityInstance');
  const status = text(child(instance, 'status'));
  const outcomes = children(child(child(instance, 'extension'), 'learningOutcomes'), 'learningOutcome');
  return {
    line: lineOf(spec),
    identifiers: identifiers(spec),
    titles: texts(children(spec, 'title')),
    status: status === 'failed' || status === 'in-progress' ? status : 'passed',
    date: day(text(child(instance, 'date'))) ?? day(text(child(child(instance, 'academicTerm'), 'end'))),
    grade: text(child(instance, 'resultLabel')),
    credits: children(instance, 'credit').map((c) => {
      const value = text(child(c, 'value'));
      return { scheme: (text(child(c, 'scheme')) ?? '').toLowerCase(), value: value === null ? null : Number(value) };
    }),
    outcomes: outcomes.map((o) => ({ id: attribute(o, 'id') ?? '', result: attribute(o, 'result'), line: lineOf(o) })),
  };
}

/** Units are the learning opportunities below a report, with degree programmes opened up. */
function opportunities(lineOf: (node: unknown) => number, specs: XmlNode[]): ElmoOpportunity[] {
  return specs.flatMap((spec) =>
    text(child(spec, 'type')) === 'Degree Programme'
      ? opportunities(
          lineOf,
          children(spec, 'hasPart').flatMap((part) => children(part, 'learningOpportunitySpecification')),
        )
      : [opportunity(lineOf, spec)],
  );
}

export function parseElmo(source: string): ElmoFile {
  const lineOf = lineIndex(source);
  const root = child(parser.parse(source) as XmlNode, 'elmo');
  const learner = child(root, 'learner');
  return {
    learner: {
      identifiers: identifiers(learner),
      givenNames: text(child(learner, 'givenNames')) ?? '',
      familyName: text(child(learner, 'familyName')) ?? '',
      bday: day(text(child(learner, 'bday'))),
    },
    reports: children(root, 'report').map((report) => {
      const issuer = child(report, 'issuer');
      return {
        line: lineOf(report),
        issuer: {
          country: text(child(issuer, 'country')),
          identifiers: identifiers(issuer),
          titles: texts(children(issuer, 'title')),
        },
        issueDate: text(child(report, 'issueDate')) ?? '',
        opportunities: opportunities(lineOf, children(report, 'learningOpportunitySpecification')),
      };
    }),
  };
}
