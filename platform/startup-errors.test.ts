import { explainStartupError, withoutPassword } from './startup-errors';

test('a database URL loses its password, nothing else', () => {
  expect(withoutPassword('mysql://hub:s3cret@db:3306/hub')).toBe('mysql://hub@db:3306/hub');
  expect(withoutPassword('mysql://hub@db:3306/hub')).toBe('mysql://hub@db:3306/hub');
  expect(withoutPassword('sqlite:data/rvt.lv/qualifications.sqlite')).toBe('sqlite:data/rvt.lv/qualifications.sqlite');
});

test('errors a user cannot act on from the message are left as they are', () => {
  expect(explainStartupError(new Error('boom'), { what: 'The gateway' })).toBeNull();
  expect(
    explainStartupError(Object.assign(new Error('denied'), { code: 'ER_ACCESS_DENIED_ERROR' }), {
      what: 'The shard of rvt.lv',
      databaseUrl: 'mysql://hub:pw@db/hub',
    }),
  ).toBe('The shard of rvt.lv was refused by mysql://hub@db/hub: wrong user or password. Check DATABASE_URL.');
});
