import type { GatewayPart } from '../part';
import { staticPage } from '../static-page';

/**
 * `/outcomes`: an editor for learning outcome statements. As the coordinator types, the page asks the hub's
 * public `reviewLearningOutcome` and `similarLearningOutcomes` and shows findings, EQF level, ESCO concepts to
 * pick and other institutions' similar outcomes; the result is copied as a `LearningOutcomeInput`. One static
 * page like `/dashboard`: no framework, no token (the review is public).
 */
export function useOutcomeEditor(): GatewayPart {
  return { name: 'outcome-editor', routes: [staticPage('outcomes', ['gateway', 'outcomes', 'page.html'])] };
}
