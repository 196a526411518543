import { WebSocketServer, type ServerOptions } from 'ws';

/**
 * The messages a stand-in shard sends to one subscription, each as it stands: given its socket's number (from 1),
 * the subscription's id and the cursor it resumes after.
 */
export type SubscriptionAnswer = (connection: number, id: string, after: unknown) => string[];

/**
 * A WebSocket server speaking as much graphql-ws as the hub needs of a shard: it acknowledges each connection and
 * answers each subscription with `answer`'s messages.
 */
export function eventSocketServer(options: ServerOptions, answer: SubscriptionAnswer): WebSocketServer {
  const server = new WebSocketServer({ ...options, handleProtocols: () => 'graphql-transport-ws' });
  let connections = 0;
  server.on('connection', (socket) => {
    connections += 1;
    const connection = connections;
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as {
        type: string;
        id?: string;
        payload?: { variables?: { after?: unknown } };
      };
      if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
      if (message.type !== 'subscribe') return;
      for (const sent of answer(connection, message.id ?? '', message.payload?.variables?.after)) socket.send(sent);
    });
  });
  return server;
}
