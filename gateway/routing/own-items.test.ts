import { ownerOf } from '../../schema/ids';
import { answersForAnother, type ItemsClaim } from './own-items';

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
