import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { ownerOf } from '../../schema/ids';
import {
  answersAsAnother,
  answersForAnother,
  entitiesClaims,
  itemClaims,
  writesAsAnother,
  type ItemsClaim,
} from './own-items';

const LV = 'rvt.lv';
/** A list whose items say whose they are by `id` alone. */
const byId: ItemsClaim[] = [{ list: null, node: null, proves: null, ids: ['id'], institutions: [] }];

describe('answersForAnother', () => {
  it("takes an ID for the shard's own exactly when ownerOf names its institution", () => {
    const ids = [
      LV,
      `${LV}:U1`,
      `${LV}:WELD-U3.a_b`,
      `${LV}:`,
      `${LV}:bad id`,
      `${LV}:a:b`,
      `${LV}.evil:U1`,
      `${LV}x:U1`,
      'rvt.l:U1',
      'bbs-hannover.de:K1',
      'bbs-hannover.de',
      'RVT.LV:U1',
      '',
    ];
    for (const id of ids) {
      const own = ownerOf(id) === LV;
      expect({ id, foreign: answersForAnother([{ id }], byId, LV) }).toEqual({ id, foreign: !own });
    }
  });

  it('finds nothing its own for an institution whose code is malformed', () => {
    expect(answersForAnother([{ id: 'Not A Code:U1' }], byId, 'Not A Code')).toBe(true);
    expect(answersForAnother([{ id: 'Not A Code' }], byId, 'Not A Code')).toBe(true);
    expect(answersForAnother([{ id: null }], byId, 'Not A Code')).toBe(false);
  });
});

describe('answersAsAnother', () => {
  const claimsOf = (selection: string) => {
    const operation = parse(`{ ${selection} }`).definitions[0] as OperationDefinitionNode;
    return itemClaims(operation.selectionSet, new Map());
  };

  it('claims nothing when the selection asks for neither an ID nor an institution', () => {
    expect(claimsOf('title')).toBeNull();
  });

  it('takes an answer for its own item, and refuses another ID or another institution, aliased too', () => {
    const claims = claimsOf('key: id title institution { code: id }');
    if (!claims) throw new Error('claims expected');
    const own = { key: `${LV}:U1`, title: 'Welding', institution: { code: LV } };
    expect(answersAsAnother(own, claims, `${LV}:U1`)).toBe(false);
    // Another of its own items is not the one asked for.
    expect(answersAsAnother({ ...own, key: `${LV}:U2` }, claims, `${LV}:U1`)).toBe(true);
    expect(answersAsAnother({ ...own, key: 'bbs-hannover.de:U1' }, claims, `${LV}:U1`)).toBe(true);
    expect(answersAsAnother({ ...own, institution: { code: 'bbs-hannover.de' } }, claims, `${LV}:U1`)).toBe(true);
    // Null claims nothing (a field the owner could not give), nor does a null item.
    expect(answersAsAnother({ key: null, institution: null }, claims, `${LV}:U1`)).toBe(false);
    expect(answersAsAnother(null, claims, `${LV}:U1`)).toBe(false);
  });

  it("takes an institution's answer by its code", () => {
    const claims = claimsOf('id name');
    if (!claims) throw new Error('claims expected');
    expect(answersAsAnother({ id: LV, name: 'RVT' }, claims, LV)).toBe(false);
    expect(answersAsAnother({ id: 'bbs-hannover.de', name: 'RVT' }, claims, LV)).toBe(true);
  });
});

describe('entitiesClaims', () => {
  it("reads each type's claims from an `_entities` selection, inline fragments and named ones", () => {
    const document = parse(`
      query($representations: [_Any!]!) {
        _entities(representations: $representations) {
          __typename
          ... on Unit { title institution { __typename id } }
          ... on Qualification { id }
          ... on Institution { name }
          ...more
        }
      }
      fragment more on Qualification { key: id }
    `);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const entities = operation.selectionSet.selections[0] as FieldNode;
    const fragments = new Map(
      document.definitions
        .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((fragment) => [fragment.name.value, fragment]),
    );
    const claims = entitiesClaims(entities.selectionSet, fragments);
    expect(Object.fromEntries(claims)).toEqual({
      Unit: { ids: [], institutions: [{ key: 'institution', ids: ['id'] }] },
      Qualification: { ids: ['id', 'key'], institutions: [] },
    });
    const unit = claims.get('Unit');
    if (!unit) throw new Error('Unit claims expected');
    expect(answersAsAnother({ title: 'Welding', institution: { id: 'rvt.lv' } }, unit, `${LV}:U1`)).toBe(false);
    expect(answersAsAnother({ title: 'Welding', institution: { id: 'omnia.fi' } }, unit, `${LV}:U1`)).toBe(true);
  });
});

describe('writesAsAnother', () => {
  const claims = { ids: ['id'], institutions: [{ key: 'institution', ids: ['id'] }] };
  const unit = (id: string, institution = LV) => ({ id, title: 'Welding', institution: { id: institution } });

  it('takes the item written by its ID, and refuses any other, even one of the same owner', () => {
    const written = { id: `${LV}:U1`, claims };
    expect(writesAsAnother(unit(`${LV}:U1`), written, LV)).toBe(false);
    expect(writesAsAnother(unit(`${LV}:U2`), written, LV)).toBe(true);
    expect(writesAsAnother(unit(`${LV}:U1`, 'omnia.fi'), written, LV)).toBe(true);
  });

  it("takes a made item of the owner's own, alone or in a list, and refuses another member's", () => {
    const made = { id: null, claims };
    expect(writesAsAnother(unit(`${LV}:NEW`), made, LV)).toBe(false);
    expect(writesAsAnother([unit(`${LV}:A`), unit(`${LV}:B`)], made, LV)).toBe(false);
    expect(writesAsAnother(unit('omnia.fi:NEW'), made, LV)).toBe(true);
    expect(writesAsAnother(unit(`${LV}:NEW`, 'omnia.fi'), made, LV)).toBe(true);
    expect(writesAsAnother([unit(`${LV}:A`), unit('omnia.fi:B')], made, LV)).toBe(true);
    expect(writesAsAnother(null, made, LV)).toBe(false);
  });
});
