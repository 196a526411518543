import type { ApolloServerPlugin } from '@apollo/server';
import { OperationTypeNode } from 'graphql';
import type { HubContext } from '../context';

/** What the shard calls of one request did with the cache: the answer's hint follows from it. */
export interface RequestTally {
  hits: number;
  misses: number;
  bypassed: number;
}

/**
 * Counts, per request, the shard calls served from the cache, filled into it, or kept out of it, and sets the
 * answer's Cache-Control hint and X-Hub-Cache from them: public only when every call was a cached type's and the
 * answer is complete.
 */
export function createAnswerHint(clientMaxAgeSeconds: number) {
  const tallies = new WeakMap<HubContext, RequestTally>();
  const tallyOf = (context: HubContext): RequestTally => {
    let tally = tallies.get(context);
    if (!tally) {
      tally = { hits: 0, misses: 0, bypassed: 0 };
      tallies.set(context, tally);
    }
    return tally;
  };
  const plugin: ApolloServerPlugin<HubContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response, operation }) {
          const tally = tallies.get(contextValue);
          if (operation?.operation !== OperationTypeNode.QUERY || !tally) return;
          const served = tally.hits + tally.misses;
          // A partial answer (a shard failed) is not one to keep anywhere.
          const complete = response.body.kind === 'single' && !response.body.singleResult.errors?.length;
          if (tally.bypassed === 0 && served > 0 && complete) {
            response.http.headers.set('cache-control', `public, max-age=${clientMaxAgeSeconds}`);
            response.http.headers.set(
              'x-hub-cache',
              tally.misses === 0 ? 'hit' : tally.hits === 0 ? 'miss' : 'partial',
            );
          } else {
            response.http.headers.set('cache-control', 'private, no-store');
            response.http.headers.set('x-hub-cache', 'bypass');
          }
        },
      };
    },
  };
  return { tallyOf, plugin };
}
