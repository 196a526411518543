import { Arg, Ctx, Directive, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { LifecycleStatus } from '../../../schema/enums';
import { Institution } from '../../../schema/institution';
import { Qualification } from '../../../schema/qualification';
import type { QualificationsContext } from '../context';
import { toQualification } from '../qualification/qualification.mapper';
import { QualificationRecord } from '../qualification/qualification.entity';
import { resolveInstitutionReference } from './institution.reference';

@Resolver(() => Institution)
export class InstitutionResolver {
  @Directive('@owner(argument: "id")')
  @Query(() => Institution, { nullable: true, description: 'One institution by its code, e.g. "rvt.lv".' })
  async institution(
    @Arg('id', () => ID, { description: 'The institution code.' }) id: string,
    @Ctx() context: QualificationsContext,
  ): Promise<Institution | null> {
    return resolveInstitutionReference({ id }, context);
  }

  @Query(() => [Institution], {
    description: 'Every institution of the federation that is answering, ordered by code.',
  })
  async institutions(@Ctx() context: QualificationsContext): Promise<Institution[]> {
    const own = await resolveInstitutionReference({ id: context.institution }, context);
    return own ? [own] : [];
  }

  @FieldResolver(() => [Qualification], { description: 'Qualifications the institution awards, by title.' })
  async qualifications(
    @Root() institution: Institution,
    @Arg('status', () => LifecycleStatus, { nullable: true, description: 'Only those in this status.' })
    status: LifecycleStatus | null,
    @Ctx() context: QualificationsContext,
  ): Promise<Qualification[]> {
    if (institution.id !== context.institution) return [];
    const records = await context.db.dataSource.manager.find(QualificationRecord, {
      where: status ? { status } : {},
      order: { sortKey: 'ASC', id: 'ASC' },
    });
    return records.map((record) => toQualification(record, context.institution));
  }
}
