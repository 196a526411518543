import { FieldResolver, Resolver, Root } from 'type-graphql';
import { UnitCorrespondence } from '../../../schema/mobility/correspondence';
import { Memorandum } from '../../../schema/mobility/memorandum';
import type { MemorandumView } from '../memorandum/memorandum.mapper';
import { toCorrespondence } from './correspondence.mapper';

/** `Memorandum.correspondences`: part of the memorandum's text, so its partners read it with it. */
@Resolver(() => Memorandum)
export class CorrespondenceResolver {
  @FieldResolver(() => [UnitCorrespondence], {
    description:
      'The correspondence table the partners agree on: which units achieved at one partner are recognised as which units ' +
      "or learning outcomes of another partner's covered qualification. Part of the signed text (`contentHash`).",
  })
  correspondences(@Root() memorandum: MemorandumView): UnitCorrespondence[] {
    return (memorandum.record.correspondences ?? []).map(toCorrespondence);
  }
}
