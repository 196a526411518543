import { createHash } from 'node:crypto';
import {
  HeaderMap,
  type ApolloServerPlugin,
  type BaseContext,
  type GraphQLRequestListener,
  type GraphQLResponse,
} from '@apollo/server';
import { Kind, OperationTypeNode, type FormattedExecutionResult, type OperationDefinitionNode } from 'graphql';
import {
  LessThan,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionRollbackEvent,
  type TransactionStartEvent,
} from 'typeorm';
import { ConflictError, ErrorCode } from '../../../schema/errors';
import type { Database } from '../database';
import type { Logger } from '../../../platform/logger';
import { currentRequestScope } from '../request-scope';
import { readInTurn } from '../sqlite-transactions';
import type { HopResult } from '../../../platform/signed-hop';
import { IdempotencyRecord } from './idempotency.entity';
import { IDEMPOTENCY_KEY_HEADER } from '../../../platform/idempotency-key';

/**
 * The shard half of idempotent writes. A mutation that carries an Idempotency-Key (signed into the hop by the
 * gateway) claims it as the first write of its write's transaction, so the claim exists exactly when the write does
 * and a retry running alongside waits on it; its answer is stored once known. A retry with the same key is
 * answered from the store without running again.
 */

/** How long a key is remembered. A retry later than this runs as a new request. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Pruning is a delete on the claim path; at most this often per shard process. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** A request's key as the shard holds it while running the request (in the request scope). */
export interface IdempotencyState {
  scope: string;
  key: string;
  digest: string;
  /** The root field(s) of the shard's operation, once it is known to be a mutation that may claim; null before. */
  field: string | null;
  /** The transaction that claimed the key, and its depth then: a rollback at that depth or above undoes the claim. */
  claim: { runner: QueryRunner; depth: number } | null;
  /** Another request with the key committed its claim while this one ran: this one writes nothing and is answered as a retry. */
  taken: boolean;
}

export interface IdempotencyOptions {
  db: Database;
  log: Logger;
  /** @default DEFAULT_IDEMPOTENCY_RETENTION_MS (24 h) */
  retentionMs?: number;
}

const MAX_SCOPE = 310;
const MAX_FIELD = 100;

function fitting(value: string, max: number): string {
  return value.length <= max ? value : `sha256:${createHash('sha256').update(value).digest('base64url')}`;
}

/** Called where the shard builds a request's context: keeps the key the gateway vouched for, for signed callers only. */
export function noteIdempotency(hop: HopResult): void {
  const request = currentRequestScope();
  if (!request || !hop.caller || !hop.idempotency) return;
  request.idempotency = {
    scope: fitting(`${hop.caller.institution} ${hop.caller.subject}`, MAX_SCOPE),
    key: hop.idempotency.key,
    digest: hop.idempotency.digest,
    field: null,
    claim: null,
    taken: false,
  };
}

// TypeORM keeps the nesting depth protected; it tells a savepoint's commit from the real one.
const depthOf = (runner: QueryRunner): number =>
  (runner as unknown as { transactionDepth?: number }).transactionDepth ?? 1;

const DUPLICATE_KEY = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);
function isDuplicateKey(error: unknown): boolean {
  const code =
    (error as { driverError?: { code?: unknown }; code?: unknown }).driverError?.code ??
    (error as { code?: unknown }).code;
  return typeof code === 'string' && DUPLICATE_KEY.has(code);
}

function alreadyCommitted(key: string): ConflictError {
  return new ConflictError(
    `A request with this ${IDEMPOTENCY_KEY_HEADER} (${key}) was committed, but its answer is not recorded: it is still running, ` +
      'or the shard stopped before answering. Read the current state instead of retrying.',
    { field: IDEMPOTENCY_KEY_HEADER, committed: true },
  );
}

/**
 * Claims the running request's key as the first statement of the first transaction it starts. A retry running
 * alongside inserts the same primary key: MySQL/MariaDB make it wait on the first one's row lock (on SQLite it waits
 * its turn for the one writer), then it fails as a duplicate if the first committed, or claims and runs if the first
 * rolled back. A rolled-back transaction takes its claim with it, so a failed mutation leaves no claim.
 */
class IdempotencyClaims implements EntitySubscriberInterface {
  async afterTransactionStart(event: TransactionStartEvent): Promise<void> {
    const state = currentRequestScope()?.idempotency;
    if (!state || state.field === null || state.claim !== null) return;
    // A later transaction of a request that lost its claim: nothing of it may run (its answer is replaced anyway).
    if (state.taken) throw alreadyCommitted(state.key);
    state.claim = { runner: event.queryRunner, depth: depthOf(event.queryRunner) };
    try {
      await event.queryRunner.manager.insert(IdempotencyRecord, {
        scope: state.scope,
        idempotencyKey: state.key,
        field: state.field,
        requestDigest: state.digest,
        response: null,
        createdAt: new Date().toISOString(),
      });
    } catch (error) {
      state.claim = null;
      if (!isDuplicateKey(error)) throw error;
      // Another request with the key committed first (they ran side by side): the plugin answers this one as its retry.
      state.taken = true;
      throw alreadyCommitted(state.key);
    }
  }

  beforeTransactionRollback(event: TransactionRollbackEvent): void {
    const state = currentRequestScope()?.idempotency;
    if (state?.claim && state.claim.runner === event.queryRunner && depthOf(event.queryRunner) <= state.claim.depth)
      state.claim = null;
  }
}

const installed = new WeakSet<object>();

function rootFields(operation: OperationDefinitionNode): string {
  const names = operation.selectionSet.selections.map((selection) =>
    selection.kind === Kind.FIELD ? (selection.alias ?? selection.name).value : selection.kind,
  );
  return fitting(names.join(','), MAX_FIELD);
}

function answer(result: FormattedExecutionResult): GraphQLResponse {
  return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: result } };
}

function refusal(error: ConflictError | { message: string; extensions: Record<string, unknown> }): GraphQLResponse {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  return answer({ data: null, errors: [{ message: error.message, extensions }] });
}

/**
 * Idempotent mutations on a shard: installs the claim hook on the shard's database and returns the Apollo plugin
 * that answers retries from the store and stores answers.
 */
export function useIdempotency<C extends BaseContext>(options: IdempotencyOptions): { plugin: ApolloServerPlugin<C> } {
  const { dataSource } = options.db;
  const retentionMs = options.retentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS;
  const log = options.log.child({ component: 'idempotency' });
  if (!installed.has(dataSource)) {
    installed.add(dataSource);
    dataSource.subscribers.push(new IdempotencyClaims());
  }
  // SQLite runs every query on one connection, where a read outside a transaction sees another request's uncommitted
  // claim: there the check takes its turn among the (serialised) transactions, so it sees committed claims only.
  const committedRead = <T>(read: (manager: EntityManager) => Promise<T>): Promise<T> =>
    options.db.driver === 'sqlite' ? readInTurn(dataSource, read) : read(dataSource.manager);
  let prunedAt = 0;
  const prune = async (): Promise<void> => {
    const now = Date.now();
    if (now - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = now;
    try {
      await dataSource
        .getRepository(IdempotencyRecord)
        .delete({ createdAt: LessThan(new Date(now - retentionMs).toISOString()) });
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'could not prune idempotency records');
    }
  };

  /** The answer to a request whose key is on record for this field, or null when it is not: the request runs. */
  const recorded = async (
    state: IdempotencyState,
    field: string,
    manager: EntityManager,
  ): Promise<GraphQLResponse | null> => {
    const records = await manager.findBy(IdempotencyRecord, { scope: state.scope, idempotencyKey: state.key });
    if (records.some((record) => record.requestDigest !== state.digest)) {
      return refusal(
        new ConflictError(
          `The ${IDEMPOTENCY_KEY_HEADER} ${state.key} was used for a different request: a key names one operation with its variables. ` +
            'Use a new key for a new request.',
          { field: IDEMPOTENCY_KEY_HEADER },
        ),
      );
    }
    const mine = records.find((record) => record.field === field);
    if (!mine) return null;
    return mine.response === null
      ? refusal(alreadyCommitted(state.key))
      : answer(JSON.parse(mine.response) as FormattedExecutionResult);
  };

  const listener: GraphQLRequestListener<C> = {
    async responseForOperation({ operation }) {
      const state = currentRequestScope()?.idempotency;
      if (!state || operation.operation !== OperationTypeNode.MUTATION) return null;
      const field = rootFields(operation);
      let response: GraphQLResponse | null;
      try {
        // The check's own transaction (SQLite) starts before `field` is set, so it claims nothing.
        response = await committedRead((manager) => recorded(state, field, manager));
      } catch (error) {
        log.warn({ reason: (error as Error).message }, 'could not read idempotency records');
        return refusal({
          message: `The shard could not check the ${IDEMPOTENCY_KEY_HEADER}: its database is unavailable. Nothing was written; retry later.`,
          extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
        });
      }
      if (response) return response;
      state.field = field;
      return null;
    },

    async willSendResponse({ response }) {
      const state = currentRequestScope()?.idempotency;
      if (!state || state.field === null || response.body.kind !== 'single') return;
      if (state.taken) {
        // A retry that ran alongside the request that committed the key: answered as if it had come after it. The
        // claim is committed (the duplicate proved it), so a plain read sees it; failing that, it is still "committed".
        const recordedAnswer = await recorded(state, state.field, dataSource.manager).catch((error: unknown) => {
          log.warn({ reason: (error as Error).message }, 'could not read idempotency records');
          return null;
        });
        const replacement = recordedAnswer ?? refusal(alreadyCommitted(state.key));
        response.body = replacement.body;
        response.http.status = replacement.http.status;
        return;
      }
      if (!state.claim) return;
      try {
        await dataSource
          .getRepository(IdempotencyRecord)
          .update(
            { scope: state.scope, idempotencyKey: state.key, field: state.field },
            { response: JSON.stringify(response.body.singleResult) },
          );
      } catch (error) {
        // The write stands; a retry is told it committed (CONFLICT, committed: true) instead of getting this answer.
        log.warn({ reason: (error as Error).message }, 'could not store the answer of an idempotent request');
      }
      await prune();
    },
  };

  return {
    plugin: {
      async requestDidStart() {
        return currentRequestScope()?.idempotency ? listener : {};
      },
    },
  };
}
