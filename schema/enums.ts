import { registerEnumType } from 'type-graphql';

/** The three kinds of learning outcome the EQF distinguishes. */
export enum LearningOutcomeCategory {
  KNOWLEDGE = 'KNOWLEDGE',
  SKILLS = 'SKILLS',
  COMPETENCE = 'COMPETENCE',
}
registerEnumType(LearningOutcomeCategory, {
  name: 'LearningOutcomeCategory',
  description: 'EQF category of a learning outcome.',
  valuesConfig: {
    KNOWLEDGE: { description: 'Theoretical and/or factual knowledge.' },
    SKILLS: { description: 'Cognitive and practical skills.' },
    COMPETENCE: { description: 'Responsibility and autonomy.' },
  },
});

/** Whether a unit or qualification may still be used in new learning agreements. */
export enum LifecycleStatus {
  ACTIVE = 'ACTIVE',
  RETIRED = 'RETIRED',
}
registerEnumType(LifecycleStatus, {
  name: 'LifecycleStatus',
  description: 'Lifecycle of a unit or qualification.',
  valuesConfig: {
    ACTIVE: { description: 'Offered: may be used in new learning agreements.' },
    RETIRED: { description: 'No longer offered; kept so that earlier agreements and credits stay readable.' },
  },
});

/** How a list of units or qualifications is ordered. */
export enum ListOrder {
  TITLE = 'TITLE',
  RELEVANCE = 'RELEVANCE',
}
registerEnumType(ListOrder, {
  name: 'ListOrder',
  description: 'How a list of units or qualifications is ordered.',
  valuesConfig: {
    TITLE: { description: 'By English title (accents and case ignored), then by ID.' },
    RELEVANCE: {
      description:
        "Best matches of `filter.text` first: words in a title before words elsewhere (descriptions, outcomes, criteria), whole words before parts; ties by title. Ranked by the hub's catalogue; a shard asked directly orders by title.",
    },
  },
});
