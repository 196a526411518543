import type { Caller } from '../subgraphs/shared/caller';

/** What the gateway knows about a request, handed to every data source call. */
export interface HubContext {
  requestId: string;
  /** The verified caller, or null for anonymous (public) requests. */
  caller: Caller | null;
  /** Why a presented token was refused, if one was. */
  authError?: string;
}
