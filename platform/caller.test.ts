import { callerInconsistency, type Caller } from './caller';

const caller = (overrides: Partial<Caller>): Caller => ({
  institution: 'omnia.fi',
  roles: ['coordinator'],
  learnerId: null,
  subject: 'anna@omnia.fi',
  ...overrides,
});

describe('callerInconsistency', () => {
  it('believes staff, a learner of the caller’s own institution and a service naming its institution', () => {
    expect(callerInconsistency(caller({ roles: ['coordinator', 'assessor'] }))).toBeNull();
    expect(callerInconsistency(caller({ roles: ['learner'], learnerId: 'omnia.fi:L-3' }))).toBeNull();
    expect(callerInconsistency(caller({ roles: ['viewer'], subject: 'service:mobilities@omnia.fi' }))).toBeNull();
  });

  it('refuses a learner ID owned by another institution, naming both', () => {
    expect(callerInconsistency(caller({ roles: ['learner'], learnerId: 'rvt.lv:L-17' }))).toBe(
      'learner_id rvt.lv:L-17 belongs to rvt.lv; only rvt.lv may vouch for its learners, not omnia.fi',
    );
  });

  it('refuses a learner ID that is not a hub ID', () => {
    expect(callerInconsistency(caller({ roles: ['learner'], learnerId: 'omnia.fi' }))).toMatch(/not a hub ID/);
    expect(callerInconsistency(caller({ roles: ['learner'], learnerId: 'L-17' }))).toMatch(/not a hub ID/);
  });

  it('keeps learners to the learner role and the learner ID to learners', () => {
    expect(callerInconsistency(caller({ roles: ['learner', 'coordinator'], learnerId: 'omnia.fi:L-3' }))).toMatch(
      /only the learner role, not also coordinator/,
    );
    expect(callerInconsistency(caller({ roles: ['learner'] }))).toMatch(/needs a learner_id/);
    expect(callerInconsistency(caller({ learnerId: 'omnia.fi:L-3' }))).toMatch(/only for the learner role/);
  });

  it('refuses no role, repeated roles and no subject', () => {
    expect(callerInconsistency(caller({ roles: [] }))).toMatch(/no role/);
    expect(callerInconsistency(caller({ roles: ['viewer', 'viewer'] }))).toMatch(/repeat/);
    expect(callerInconsistency(caller({ subject: '' }))).toMatch(/no subject/);
  });

  it('refuses a service subject for another institution or with more than viewing rights', () => {
    expect(callerInconsistency(caller({ roles: ['viewer'], subject: 'service:mobilities@rvt.lv' }))).toMatch(
      /does not name omnia.fi/,
    );
    expect(callerInconsistency(caller({ roles: ['viewer'], subject: 'service:' }))).toMatch(/does not name/);
    expect(callerInconsistency(caller({ roles: ['coordinator'], subject: 'service:mobilities@omnia.fi' }))).toBe(
      'a service acts as a viewer only',
    );
  });
});
