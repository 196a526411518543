import { BadUserInputError } from '../../../schema/errors';
import { MAX_ESCO_SUGGESTIONS, MAX_STATEMENT_LENGTH } from './review';
import { MAX_SIMILAR } from './similar';

function checkStatement(statement: string): void {
  if (statement.trim() === '') throw new BadUserInputError('statement must not be blank', 'statement');
  if (statement.length > MAX_STATEMENT_LENGTH) {
    throw new BadUserInputError(
      `statement must be at most ${MAX_STATEMENT_LENGTH} characters (got ${statement.length})`,
      'statement',
    );
  }
}

export function checkReviewArguments(statement: string, escoLimit: number): void {
  checkStatement(statement);
  if (escoLimit < 0 || escoLimit > MAX_ESCO_SUGGESTIONS)
    throw new BadUserInputError(`escoLimit must be 0-${MAX_ESCO_SUGGESTIONS} (got ${escoLimit})`, 'escoLimit');
}

export function checkSimilarArguments(statement: string, first: number): void {
  checkStatement(statement);
  if (first < 1 || first > MAX_SIMILAR)
    throw new BadUserInputError(`first must be 1-${MAX_SIMILAR} (got ${first})`, 'first');
}
