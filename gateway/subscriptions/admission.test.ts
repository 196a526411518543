import { AnonymousAdmission } from './admission';

test('anonymous sockets are refused past the per-address limit (429), then past the total (503), and admitted again once places are given back', () => {
  const admission = new AnonymousAdmission(2, 3);
  const a1 = admission.admit('10.0.0.1');
  admission.admit('10.0.0.1');
  expect(admission.refusal('10.0.0.1')?.status).toBe(429);
  expect(admission.refusal('10.0.0.2')).toBeNull();
  admission.admit('10.0.0.2');
  expect(admission.refusal('10.0.0.3')?.status).toBe(503);
  a1.release();
  a1.release();
  expect(admission.size).toBe(2);
  expect(admission.refusal('10.0.0.1')).toBeNull();
  expect(admission.refusal('10.0.0.3')).toBeNull();
});
