import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Connection } from './connection';
import { DateTimeScalar } from './scalars';

@Directive('@shareable')
@ObjectType({ description: 'One accepted write: who made it, what, when, and in which request.' })
export class AuditEntry {
  @Field(() => ID, { description: 'Identifier of the entry.' })
  id!: string;

  @Field(() => DateTimeScalar, { description: 'When the write was committed.' })
  at!: string;

  @Field({ description: 'The subgraph kind that stored the write, e.g. "qualifications".' })
  kind!: string;

  @Field({ description: 'The mutation, e.g. "updateUnit".' })
  action!: string;

  @Field(() => ID, { description: 'Hub ID of the record written.' })
  entityId!: string;

  @Field({ description: "Code of the caller's institution." })
  institution!: string;

  @Field(() => [String], { description: 'Roles the caller held.' })
  roles!: string[];

  @Field({ description: "The caller's subject (the token's `sub`)." })
  subject!: string;

  @Field({ description: 'The request ID the gateway gave the call, to follow it through the logs.' })
  requestId!: string;

  @Field({ description: 'The input of the write, as JSON.' })
  input!: string;
}

@Directive('@shareable')
@ObjectType({ description: 'A page of audit entries, oldest first.' })
export class AuditEntryConnection extends Connection(AuditEntry, 'AuditEntry') {}
