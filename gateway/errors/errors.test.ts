import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { OperationLimitError } from '../../schema/errors';
import { useErrors } from './errors';

const silent = pino({ level: 'silent' });
const request = {} as IncomingMessage;

test('a hub error raised during validation keeps its own code (Apollo files it under GRAPHQL_VALIDATION_FAILED)', () => {
  const { formatError } = useErrors({ requestIdOf: () => 'r1', log: silent });
  const original = new OperationLimitError('Query depth 20 exceeds the limit of 12', 'depth', 12, 20);
  const wrapped = new GraphQLError(original.message, {
    originalError: original,
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });
  expect(
    formatError({ message: original.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, wrapped),
  ).toEqual({
    message: 'Query depth 20 exceeds the limit of 12',
    extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 12, found: 20 },
  });
});

test('production: internal errors lose their message (shard errors keep the institution); coded errors lose only stack traces', () => {
  const { formatError } = useErrors({ production: true, requestIdOf: () => 'r1', log: silent });
  const shardInternal = {
    message: 'ER_NO_SUCH_TABLE: Table units does not exist',
    path: ['unit'],
    extensions: {
      code: 'INTERNAL_SERVER_ERROR',
      institution: 'rvt.lv',
      kind: 'qualifications',
      serviceName: 'qualifications',
      exception: { stacktrace: ['at x'] },
    },
  };
  expect(formatError(shardInternal, null)).toEqual({
    message: 'The qualifications shard of rvt.lv failed to answer; its data is missing from this answer',
    path: ['unit'],
    extensions: { code: 'INTERNAL_SERVER_ERROR', institution: 'rvt.lv', kind: 'qualifications' },
  });
  expect(
    formatError({ message: 'kaboom at /srv/x.js', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } }, null),
  ).toEqual({
    message: 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
  expect(
    formatError(
      { message: 'No unit rvt.lv:X', extensions: { code: 'NOT_FOUND', institution: 'rvt.lv', stacktrace: ['at y'] } },
      null,
    ),
  ).toEqual({
    message: 'No unit rvt.lv:X',
    extensions: { code: 'NOT_FOUND', institution: 'rvt.lv' },
  });
});

test('development keeps messages', () => {
  const { formatError } = useErrors({ requestIdOf: () => 'r1', log: silent });
  const formatted = {
    message: 'ER_NO_SUCH_TABLE',
    extensions: { code: 'INTERNAL_SERVER_ERROR', institution: 'rvt.lv' },
  };
  expect(formatError(formatted, null)).toBe(formatted);
});

test('errors sent outside GraphQL get the request id and are counted once', () => {
  const codes: string[] = [];
  const { onErrors } = useErrors({ requestIdOf: () => 'r42', onError: (code) => codes.push(code), log: silent });
  const errors = [
    { message: 'too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } },
    { message: 'seen', extensions: { code: 'BAD_REQUEST', requestId: 'r42' } },
  ];
  onErrors(request, errors);
  expect(errors[0]?.extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', requestId: 'r42' });
  expect(codes).toEqual(['PAYLOAD_TOO_LARGE']);
});
