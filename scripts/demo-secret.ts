/** The demo hub's token secret: known to everyone, so only `npm start` on a developer's machine uses it. */
export const DEMO_TOKEN_SECRET = 'demo-secret-for-local-tokens-only';
