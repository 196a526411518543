import type { GatewayPart } from '../part';
import { staticPage } from '../static-page';

/**
 * `/dashboard`: a coordinator's live table of assessments from partner schools, on the hub's own
 * subscriptions. One static page, no framework: the browser speaks graphql-ws to /graphql itself.
 */
export function useDashboard(): GatewayPart {
  return { name: 'dashboard', routes: [staticPage('dashboard', ['gateway', 'dashboard', 'page.html'])] };
}
