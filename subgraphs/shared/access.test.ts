import type { Caller } from '../../platform/caller';
import { partyRoleOf, requireParty, requireStaffRole, type Parties } from './access';
import type { ShardRequestContext } from './context';

const parties: Parties = { sendingInstitution: 'rvt.lv', hostingInstitution: 'omnia.fi', learnerId: 'rvt.lv:L-7' };
const caller = (institution: string, roles: Caller['roles'], learnerId: string | null = null): Caller => ({
  institution,
  roles,
  learnerId,
  subject: 's',
});
const context = (c: Caller | null, hopError: string | null = null): ShardRequestContext => ({
  institution: 'rvt.lv',
  caller: c,
  hopError,
  requestId: 'r',
});

describe('partyRoleOf', () => {
  it('knows sending and hosting staff in any staff role, and the learner for their own record', () => {
    expect(partyRoleOf(caller('rvt.lv', ['viewer']), parties)).toBe('sending');
    expect(partyRoleOf(caller('omnia.fi', ['assessor']), parties)).toBe('hosting');
    expect(partyRoleOf(caller('rvt.lv', ['learner'], 'rvt.lv:L-7'), parties)).toBe('learner');
  });

  it('refuses other institutions, other learners, learners posing as staff, and anonymous callers', () => {
    expect(partyRoleOf(caller('bbs-hannover.de', ['coordinator']), parties)).toBeNull();
    expect(partyRoleOf(caller('rvt.lv', ['learner'], 'rvt.lv:L-8'), parties)).toBeNull();
    expect(partyRoleOf(caller('omnia.fi', ['learner'], 'omnia.fi:L-1'), parties)).toBeNull();
    expect(partyRoleOf(null, parties)).toBeNull();
  });
});

describe('requireParty and requireStaffRole', () => {
  it('answer a known non-party exactly as an unknown ID (NOT_FOUND), nobody UNAUTHENTICATED, with the hop error when there was one', () => {
    const notFound = { message: 'No learning agreement rvt.lv:LA-1 at rvt.lv', field: 'id' };
    expect(() => requireParty(context(caller('bbs-hannover.de', ['coordinator'])), parties, notFound)).toThrow(
      expect.objectContaining({
        message: notFound.message,
        extensions: expect.objectContaining({ code: 'NOT_FOUND', field: 'id' }),
      }),
    );
    expect(() => requireParty(context(null), parties, notFound)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    );
    expect(() => requireStaffRole(context(null, 'Refused a replayed call'), 'rvt.lv', 'coordinator', 'x')).toThrow(
      'Refused a replayed call',
    );
    expect(requireParty(context(caller('omnia.fi', ['viewer'])), parties, notFound)).toBe('hosting');
  });

  it('require the role at the named institution', () => {
    expect(() =>
      requireStaffRole(context(caller('rvt.lv', ['assessor'])), 'rvt.lv', 'coordinator', 'edit units'),
    ).toThrow(/Only a coordinator of rvt\.lv may edit units/);
    expect(
      requireStaffRole(context(caller('rvt.lv', ['coordinator'])), 'rvt.lv', 'coordinator', 'edit units').institution,
    ).toBe('rvt.lv');
  });
});
