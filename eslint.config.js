// Lint: the type-aware rules that catch lost work in an async bridge (a dropped promise is a
// lost record), plus a few that keep code honest. Layering (shared/host/worker) and import
// cycles are checked by dependency-cruiser (.dependency-cruiser.cjs).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'shared/generated/', 'test/fixtures/shipping/cjs/'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only']", message: 'no focused tests' },
        { selector: "CallExpression[callee.property.name='skip']", message: 'no skipped tests' },
      ],
    },
  },
);
