import { Field, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';
import { RecognitionDecision } from './recognition';
import { HomeRecognitionDecision } from './routes';

@ObjectType({ description: 'A recognition decision was taken or revised.' })
export class RecognitionEvent {
  @Field({ description: 'Resume after this event: pass it as `after` when subscribing again.' })
  cursor!: string;

  @Field({ description: 'RECOGNITION_DECIDED or RECOGNITION_REVISED.' })
  type!: string;

  @Field(() => DateTimeScalar, { description: 'When it was committed.' })
  occurredAt!: string;

  @Field(() => RecognitionDecision, { description: 'The decision, as it is now.' })
  recognitionDecision!: RecognitionDecision;
}

@ObjectType({ description: 'A transfer or prior-learning decision was taken or revised.' })
export class HomeRecognitionEvent {
  @Field({ description: 'Resume after this event: pass it as `after` when subscribing again.' })
  cursor!: string;

  @Field({ description: 'HOME_RECOGNITION_DECIDED or HOME_RECOGNITION_REVISED.' })
  type!: string;

  @Field(() => DateTimeScalar, { description: 'When it was committed.' })
  occurredAt!: string;

  @Field(() => HomeRecognitionDecision, { description: 'The decision, as it is now.' })
  homeRecognitionDecision!: HomeRecognitionDecision;
}
