import {
  formatTraceparent,
  MAX_TRACESTATE_LENGTH,
  parseTraceparent,
  parseTracestate,
  runInTraceScope,
  scopeTrace,
  setScopeTrace,
  startSpan,
  traceHeaders,
  traceLogFields,
  tracingExported,
} from './tracing';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('parseTraceparent', () => {
  it('reads a valid version-00 header', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: 1 });
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)?.flags).toBe(0);
  });

  it('keeps a well-formed tracestate with it', () => {
    expect(parseTraceparent(VALID, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')?.traceState).toBe(
      'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    );
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['upper-case hex', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['a short span id', `00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`],
    ['no flags', `00-${TRACE_ID}-${SPAN_ID}`],
    ['non-hex characters', `00-${TRACE_ID.slice(0, -1)}g-${SPAN_ID}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['an all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with a fifth field', `${VALID}-extra`],
    ['too long', `01-${TRACE_ID}-${SPAN_ID}-01-${'a'.repeat(300)}`],
  ])('refuses %s', (_case, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });

  it('reads the known fields of a later version and ignores the rest', () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01-future`)).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      flags: 1,
    });
  });
});

describe('parseTracestate', () => {
  it('drops one that is too long or not printable', () => {
    expect(parseTracestate(`a=${'b'.repeat(MAX_TRACESTATE_LENGTH)}`)).toBeUndefined();
    expect(parseTracestate('a=b\u0000')).toBeUndefined();
    expect(parseTracestate('   ')).toBeUndefined();
  });
});

describe('formatTraceparent', () => {
  it('writes what parseTraceparent reads', () => {
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, flags: 1 })).toBe(VALID);
    expect(parseTraceparent(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, flags: 0 }))).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      flags: 0,
    });
  });

  it('passes tracestate on beside it', () => {
    expect(traceHeaders({ traceId: TRACE_ID, spanId: SPAN_ID, flags: 1, traceState: 'rojo=1' })).toEqual({
      traceparent: VALID,
      tracestate: 'rojo=1',
    });
  });
});

describe('startSpan without export', () => {
  it('exports nothing', () => {
    expect(tracingExported()).toBe(false);
  });

  it('continues the parent trace under a new span id, keeping its flags and tracestate', () => {
    const span = startSpan('call', {
      kind: 'client',
      parent: { traceId: TRACE_ID, spanId: SPAN_ID, flags: 1, traceState: 'rojo=1' },
    });
    expect(span.context).toEqual({
      traceId: TRACE_ID,
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      flags: 1,
      traceState: 'rojo=1',
    });
    expect(span.context.spanId).not.toBe(SPAN_ID);
    span.end();
  });

  it('starts a new trace without a parent', () => {
    const a = startSpan('request', { kind: 'server', parent: null });
    const b = startSpan('request', { kind: 'server', parent: null });
    expect(a.context.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.context.traceId).not.toBe(b.context.traceId);
    expect(parseTraceparent(formatTraceparent(a.context))).toEqual({
      traceId: a.context.traceId,
      spanId: a.context.spanId,
      flags: 0,
    });
  });
});

describe('log fields', () => {
  it('name the trace of the running request only', async () => {
    expect(traceLogFields()).toEqual({});
    await runInTraceScope(async () => {
      setScopeTrace({ traceId: TRACE_ID, spanId: SPAN_ID, flags: 1 });
      await Promise.resolve();
      expect(traceLogFields()).toEqual({ trace_id: TRACE_ID, span_id: SPAN_ID });
      expect(scopeTrace()).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: 1 });
    });
    expect(traceLogFields()).toEqual({});
  });
});
