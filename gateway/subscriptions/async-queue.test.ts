import { AsyncQueue } from './async-queue';

test('a failed queue hands out what was pushed before, then the error once, then ends; its cleanup runs once', async () => {
  const cleanup = jest.fn();
  const queue = new AsyncQueue<number>(cleanup);
  queue.push(1);
  queue.fail(new Error('held too long'));
  queue.push(2);
  await expect(queue.next()).resolves.toEqual({ value: 1, done: false });
  await expect(queue.next()).rejects.toThrow('held too long');
  await expect(queue.next()).resolves.toEqual({ value: undefined, done: true });
  await queue.return();
  expect(cleanup).toHaveBeenCalledTimes(1);
});

test('a consumer already waiting gets the error', async () => {
  const queue = new AsyncQueue<number>(() => undefined);
  const waiting = queue.next();
  queue.fail(new Error('held too long'));
  await expect(waiting).rejects.toThrow('held too long');
});
