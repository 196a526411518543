import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ReadBudget } from './read-budget';

const BUDGET = 65_536;
const CLIENTS = 20;
const BYTES_EACH = 256 * 1_024;

describe('ReadBudget', () => {
  let server: Server;
  const clients: Socket[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reads about one budget per turn across all sockets, and every byte once messages are handled', async () => {
    let handled = true;
    const budget = new ReadBudget(BUDGET, () => handled);
    const readPerTurn: number[] = [];
    let turn = -1;
    let total = 0;
    let accepted = 0;
    const done = new Promise<void>((resolve) => {
      server = createServer((socket) => {
        budget.track(socket);
        socket.on('data', (chunk: Buffer) => {
          if (turn < 0) {
            turn = readPerTurn.push(0) - 1;
            setImmediate(() => (turn = -1));
          }
          readPerTurn[turn] = (readPerTurn[turn] ?? 0) + chunk.length;
          total += chunk.length;
          if (total === CLIENTS * BYTES_EACH) resolve();
        });
        accepted += 1;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('the test server has no port');
    for (let i = 0; i < CLIENTS; i += 1) clients.push(createConnection(address.port, '127.0.0.1'));
    while (accepted < CLIENTS) await new Promise((resolve) => setTimeout(resolve, 5));
    // Messages still waiting: the budget holds reading until they are handled.
    handled = false;
    for (const client of clients) client.write(Buffer.alloc(BYTES_EACH, 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const heldAt = total;
    expect(heldAt).toBeLessThan(CLIENTS * BYTES_EACH);
    handled = true;
    budget.resume();
    await done;
    // Past the budget: the chunk that crosses it, and one a paused socket had buffered, flushed when reading
    // resumes (a chunk is at most 64 KiB, libuv's read size). Unpaced, a turn read every socket at once.
    expect(Math.max(...readPerTurn)).toBeLessThanOrEqual(BUDGET + 2 * 65_536);
    expect(total).toBe(CLIENTS * BYTES_EACH);
  });
});
