import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import '@/lib/validation/primitives';

const messages = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('what a schema refuses, in plain words', () => {
  const schema = z
    .object({
      count: z.number().int().min(1).max(10),
      name: z.string().min(1).max(5),
      kind: z.enum(['A', 'B']),
      on: z.boolean(),
      items: z.array(z.number()).min(1).max(2),
      code: z.string().regex(/^[A-Z]{3}$/),
      at: z.iso.datetime(),
      ratio: z.number().gt(0).lt(1),
      own: z.string().min(3, 'needs three letters'),
    })
    .strict();

  it("calls a whole number beyond the safe integer range too large or too small, not in zod's words", () => {
    expect(messages(z.number().int().max(500), 1e20)).toEqual([': is too large', ': must be at most 500']);
    expect(messages(z.number().int().min(1), -1e20)).toEqual([': is too small', ': must be at least 1']);
  });

  it('asks for an object where a record is given a list or text, and for a list where a tuple is given anything else', () => {
    expect(messages(z.tuple([z.string()]), 'x')).toEqual([': must be a list']);
    expect(messages(z.object({ criteria: z.record(z.string(), z.string()) }), { criteria: [] })).toEqual(['criteria: must be an object']);
    expect(messages(z.record(z.string(), z.string()), 'x')).toEqual([': must be an object']);
  });

  it('names what is missing, of the wrong type, or out of bounds', () => {
    expect(messages(schema, { kind: 'A' })).toEqual([
      'count: is required',
      'name: is required',
      'on: is required',
      'items: is required',
      'code: is required',
      'at: is required',
      'ratio: is required',
      'own: is required',
    ]);
    expect(
      messages(schema, { count: 1.5, name: '', kind: 'C', on: 'yes', items: [], code: 'abc', at: 'soon', ratio: 1, own: 'ab', extra: 1 }),
    ).toEqual([
      'count: must be a whole number',
      'name: is required',
      'kind: must be one of A, B',
      'on: must be true or false',
      'items: must have at least one item',
      'code: is not in the expected form',
      'at: must be a date and time (ISO 8601, e.g. 2026-12-07T09:30:00Z)',
      'ratio: must be less than 1',
      'own: needs three letters',
      ': has an unknown field "extra"',
    ]);
    expect(
      messages(schema, {
        count: 11,
        name: 'toolong',
        kind: 'A',
        on: true,
        items: [1, 2, 3],
        code: 'ABC',
        at: '2026-12-07T09:30:00Z',
        ratio: 0,
        own: 'abc',
      }),
    ).toEqual([
      'count: must be at most 10',
      'name: must be at most 5 characters long',
      'items: must have at most 2 items',
      'ratio: must be more than 0',
    ]);
    expect(messages(z.number(), 'x')).toEqual([': must be a number']);
    expect(messages(z.literal('on'), 'off')).toEqual([': must be on']);
  });
});
