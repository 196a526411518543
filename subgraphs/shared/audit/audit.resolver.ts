import { Arg, Ctx, Directive, ID, Int, Query, Resolver } from 'type-graphql';
import { AuditEntry, AuditEntryConnection } from '../../../schema/audit';
import { BadUserInputError } from '../../../schema/errors';
import { DateTimeScalar } from '../../../schema/scalars';
import { requireStaffRole } from '../access';
import type { ShardRequestContext } from '../context';
import type { Database } from '../database';
import { keysetPage } from '../paging';
import { AuditEntryRecord } from './audit.entity';

type AuditContext = ShardRequestContext & { db: Database };

/** The audit trail query of one kind, named `<kind>AuditTrail`: each kind keeps the trail of its own writes. */
export function createAuditResolver(kind: string) {
  @Resolver()
  class AuditResolver {
    @Directive('@owner(argument: "institution")')
    @Query(() => AuditEntryConnection, {
      name: `${kind}AuditTrail`,
      description: `Every accepted ${kind} write of an institution, oldest first. For that institution's coordinators only.`,
    })
    async auditTrail(
      @Arg('institution', () => ID, { description: 'The institution whose trail to read (its code).' })
      institution: string,
      @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
      @Arg('after', () => String, { nullable: true, description: 'Cursor of the last entry already read.' })
      after: string | undefined,
      @Arg('since', () => DateTimeScalar, { nullable: true, description: 'Only entries from this instant on.' })
      since: string | undefined,
      @Ctx() context: AuditContext,
    ): Promise<AuditEntryConnection> {
      if (institution !== context.institution)
        throw new BadUserInputError(`institution ${institution} is not served by this shard`, 'institution');
      requireStaffRole(context, institution, 'coordinator', 'read its audit trail');
      const query = context.db.dataSource.manager.createQueryBuilder(AuditEntryRecord, 'a');
      if (since) query.andWhere('a.sortKey >= :since', { since });
      const page = await keysetPage(query, 'a', first, after);
      const nodes = page.records.map((record) =>
        Object.assign(new AuditEntry(), { ...record, kind, at: record.sortKey }),
      );
      return {
        edges: nodes.map((node, index) => ({ node, cursor: page.cursors[index] ?? '' })),
        nodes,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
        totalCount: page.totalCount,
      };
    }
  }
  return AuditResolver;
}
