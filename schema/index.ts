/** The shared contract: types, scalars, IDs, cursors and errors every institution's shard and the gateway agree on. */
export * from './connection';
export * from './cursor';
export * from './enums';
export * from './errors';
export * from './federation';
export * from './grading-scale';
export * from './ids';
export * from './institution';
export * from './learning-outcome';
export * from './localized-text';
export * from './qualification';
export * from './scalars';
export * from './unit';
