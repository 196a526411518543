/**
 * The EQF level descriptors (knowledge, skills, responsibility and autonomy, levels 1–8) as Annex II of the
 * Council Recommendation of 22 May 2017 on the European Qualifications Framework for lifelong learning states
 * them (2017/C 189/03, Official Journal of the European Union C 189, 15.6.2017, p. 15), English text unchanged.
 * Reuse of EU legal texts is authorised (Commission Decision 2011/833/EU).
 */

export const EQF_SOURCE =
  'Council Recommendation of 22 May 2017 on the European Qualifications Framework for lifelong learning (2017/C 189/03), Annex II';

export interface EqfDescriptor {
  level: number;
  knowledge: string;
  skills: string;
  responsibilityAndAutonomy: string;
}

export const EQF_DESCRIPTORS: readonly EqfDescriptor[] = [
  {
    level: 1,
    knowledge: 'Basic general knowledge',
    skills: 'Basic skills required to carry out simple tasks',
    responsibilityAndAutonomy: 'Work or study under direct supervision in a structured context',
  },
  {
    level: 2,
    knowledge: 'Basic factual knowledge of a field of work or study',
    skills:
      'Basic cognitive and practical skills required to use relevant information in order to carry out tasks and to solve routine problems using simple rules and tools',
    responsibilityAndAutonomy: 'Work or study under supervision with some autonomy',
  },
  {
    level: 3,
    knowledge: 'Knowledge of facts, principles, processes and general concepts, in a field of work or study',
    skills:
      'A range of cognitive and practical skills required to accomplish tasks and solve problems by selecting and applying basic methods, tools, materials and information',
    responsibilityAndAutonomy:
      'Take responsibility for completion of tasks in work or study; adapt own behaviour to circumstances in solving problems',
  },
  {
    level: 4,
    knowledge: 'Factual and theoretical knowledge in broad contexts within a field of work or study',
    skills:
      'A range of cognitive and practical skills required to generate solutions to specific problems in a field of work or study',
    responsibilityAndAutonomy:
      'Exercise self-management within the guidelines of work or study contexts that are usually predictable, but are subject to change; supervise the routine work of others, taking some responsibility for the evaluation and improvement of work or study activities',
  },
  {
    level: 5,
    knowledge:
      'Comprehensive, specialised, factual and theoretical knowledge within a field of work or study and an awareness of the boundaries of that knowledge',
    skills:
      'A comprehensive range of cognitive and practical skills required to develop creative solutions to abstract problems',
    responsibilityAndAutonomy:
      'Exercise management and supervision in contexts of work or study activities where there is unpredictable change; review and develop performance of self and others',
  },
  {
    level: 6,
    knowledge:
      'Advanced knowledge of a field of work or study, involving a critical understanding of theories and principles',
    skills:
      'Advanced skills, demonstrating mastery and innovation, required to solve complex and unpredictable problems in a specialised field of work or study',
    responsibilityAndAutonomy:
      'Manage complex technical or professional activities or projects, taking responsibility for decision-making in unpredictable work or study contexts; take responsibility for managing professional development of individuals and groups',
  },
  {
    level: 7,
    knowledge:
      'Highly specialised knowledge, some of which is at the forefront of knowledge in a field of work or study, as the basis for original thinking and/or research; critical awareness of knowledge issues in a field and at the interface between different fields',
    skills:
      'Specialised problem-solving skills required in research and/or innovation in order to develop new knowledge and procedures and to integrate knowledge from different fields',
    responsibilityAndAutonomy:
      'Manage and transform work or study contexts that are complex, unpredictable and require new strategic approaches; take responsibility for contributing to professional knowledge and practice and/or for reviewing the strategic performance of teams',
  },
  {
    level: 8,
    knowledge:
      'Knowledge at the most advanced frontier of a field of work or study and at the interface between fields',
    skills:
      'The most advanced and specialised skills and techniques, including synthesis and evaluation, required to solve critical problems in research and/or innovation and to extend and redefine existing knowledge or professional practice',
    responsibilityAndAutonomy:
      'Demonstrate substantial authority, innovation, autonomy, scholarly and professional integrity and sustained commitment to the development of new ideas or processes at the forefront of work or study contexts including research',
  },
];
