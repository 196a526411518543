// ESLint flat config: typescript-eslint's type-aware recommended rules on the TypeScript sources, ESLint's own
// recommended rules on the few plain JavaScript files. Layout rules (who may import whom) are dependency-cruiser's
// job (.dependency-cruiser.cjs); formatting is Prettier's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'third_party/', 'bench/results/', 'bench/tmp/', 'data/', 'coverage/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Apollo Server plugin hooks, TypeORM subscribers and the project's own async interfaces return promises by
      // contract; an `async` method with nothing to wait for is how such a hook is written.
      '@typescript-eslint/require-await': 'off',
      // `const { http: _http, ...rest } = …` names a property to leave it out of the copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // Libraries type disposers as `void | Promise<void>` (graphql-ws clients); `Promise.all` over them waits for each.
      '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
      // Parts and services are objects of closures, never classes with `this`: passing `metrics.countError` on is safe.
      '@typescript-eslint/unbound-method': 'off',
      // A part wired before its source exists is read through a closure and assigned once, later.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      // Tests walk decoded JSON answers (`response.json()`, parsed credentials) and compare with jest's asymmetric
      // matchers, which @types/jest types as `any`; a wrong path fails the assertion that reads it.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
