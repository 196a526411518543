import { ConflictError } from '../../schema/errors';
import type { RecognitionContext } from './context';

/** Asks the hub as this shard's service; a refusal or a missing shard becomes a CONFLICT naming the cause. */
export async function askHub<T>(
  context: RecognitionContext,
  what: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  if (!context.hub) throw new ConflictError(`This shard was started without HUB_URL, so it cannot read ${what}`);
  const answer = await context.hub.request<T>(query, variables);
  if (!answer.data || answer.errors.length > 0) {
    throw new ConflictError(
      `Cannot read ${what} through the hub: ${answer.errors.map((e) => e.message).join('; ') || 'no answer'}`,
    );
  }
  return answer.data;
}

export interface HubQualification {
  id: string;
  ecvetPoints: number;
  units: Array<{ id: string; ecvetPoints: number; status: string; learningOutcomes: Array<{ id: string }> }>;
}

/** Qualifications with their units, in one request for all of them. */
export async function qualificationsFromHub(
  context: RecognitionContext,
  ids: readonly string[],
): Promise<Map<string, HubQualification>> {
  if (ids.length === 0) return new Map();
  const fields = ids
    .map(
      (_, i) =>
        `q${i}: qualification(id: $q${i}) { id ecvetPoints units { id ecvetPoints status learningOutcomes { id } } }`,
    )
    .join('\n');
  const variables = Object.fromEntries(ids.map((id, i) => [`q${i}`, id]));
  const data = await askHub<Record<string, HubQualification | null>>(
    context,
    'qualifications',
    `query Qualifications(${ids.map((_, i) => `$q${i}: ID!`).join(', ')}) { ${fields} }`,
    variables,
  );
  return new Map(Object.values(data).flatMap((q) => (q ? [[q.id, q] as const] : [])));
}
