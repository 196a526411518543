import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../../platform/caller';
import type { ShardRequestContext } from '../context';
import { AuditEntryRecord } from './audit.entity';

/** Records an accepted write in the same transaction as the write, so one never exists without the other. */
export async function recordAudit(
  manager: EntityManager,
  context: ShardRequestContext,
  caller: Caller,
  write: { action: string; entityId: string; input: unknown },
): Promise<void> {
  await manager.insert(AuditEntryRecord, {
    id: randomUUID(),
    sortKey: new Date().toISOString(),
    action: write.action,
    entityId: write.entityId,
    institution: caller.institution,
    roles: caller.roles,
    subject: caller.subject,
    requestId: context.requestId,
    input: JSON.stringify(write.input ?? null),
  });
}
