import { Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';

@Directive('@shareable')
@ObjectType({ description: 'Where a page of a list ends and whether more follows.' })
export class PageInfo {
  @Field({ description: 'True when another page follows; ask for it with `after: endCursor`.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge of this page; null on an empty page.' })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/**
 * A list the hub answers from its catalogue: the page is the catalogue's, each item's data its owner's. An owner
 * that cannot answer leaves its items' places null, with an error naming the institution and the item's ID.
 */
export interface ConnectionOptions {
  nullableNodes: true;
}

/**
 * Relay-style forward pagination. Through the hub a cursor spans every institution's shard: pass it back
 * unchanged as `after` to continue.
 */
export function Connection<T extends object>(Item: ClassType<T>, name: string, options?: ConnectionOptions) {
  const nullable = options?.nullableNodes === true;
  const whenNull =
    ' Null, through the hub, when its owning institution cannot answer (an error at this place names the institution and its ID); the cursor keeps its place.';
  @Directive('@shareable')
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class EdgeType implements Edge<T> {
    @Field({ description: 'Opaque position of this edge; pass it as `after` to read on from here.' })
    cursor!: string;

    @Field(() => Item, { nullable, description: `The ${name}.${nullable ? whenNull : ''}` })
    node!: T;
  }

  // Only the concrete subclass is reachable from resolvers, so this base never reaches the schema.
  @ObjectType(`${name}ConnectionBase`)
  abstract class ConnectionType {
    @Field(() => [EdgeType], { description: 'The edges of this page, in order.' })
    edges!: EdgeType[];

    @Field(() => [Item], {
      nullable: nullable ? 'items' : false,
      description: `The nodes of this page, in order (the edges without cursors).${nullable ? " An entry is null where the edge's node is." : ''}`,
    })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'Where this page ends.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many items match in all, across every institution that answered.' })
    totalCount!: number;
  }
  return ConnectionType;
}
