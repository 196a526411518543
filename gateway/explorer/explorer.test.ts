import type { ApolloServerPlugin } from '@apollo/server';
import type { HubContext } from '../context';
import { useExplorer } from './explorer';

/** Apollo marks its built-in plugins with an id; the disabled landing page is one of them. */
const idOf = (plugin: ApolloServerPlugin<HubContext>) =>
  (plugin as { __internal_plugin_id__?: string }).__internal_plugin_id__;

test('in development the explorer renders the landing page and serves its files', async () => {
  const explorer = useExplorer();
  const listener = await explorer.plugins?.[0]?.serverWillStart?.({} as never);
  const page = await listener?.renderLandingPage?.();
  expect(page?.html).toContain('graphiql.min.js');
  expect(explorer.routes).toHaveLength(1);
});

test('in production the landing page is turned off and no explorer file is served', () => {
  const explorer = useExplorer({ production: true });
  expect(explorer.plugins?.map(idOf)).toEqual(['LandingPageDisabled']);
  expect(explorer.routes).toBeUndefined();
});
