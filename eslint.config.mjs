// ESLint: type-aware TypeScript rules that catch bugs, Next.js and React hooks rules, and the
// layer rule of ARCHITECTURE (see ./eslint.layers.mjs). Formatting is Prettier's, not ESLint's.
import js from '@eslint/js';
import nextPlugin from '@next/eslint-plugin-next';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layerRuleBlocks } from './eslint.layers.mjs';

export default tseslint.config(
  {
    ignores: ['node_modules/', '.next/', '.sitebox/', '.sitebox-*/', 'test-results/', 'lib/db/generated/', 'next-env.d.ts', 'dist/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Bugs: a promise nobody awaits loses its error; an async callback where a void one is
      // expected (event handlers, forEach) does the same. `void promise` marks a deliberate one.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'error',
      // An abort passes on `signal.reason`, which is typed any but is the abort's own error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // The no-unsafe-* family flags every value that passes through `any` (JSON, pg rows, test
      // fixtures); boundaries parse with zod instead, which these rules cannot see. Off.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Style, not bugs: the code already reads the way it does on purpose.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Syslog and CSV writers strip control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Config files and scripts outside the TypeScript project: no type information.
    files: ['**/*.{js,mjs,cjs,mts}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['next.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // Test servers and benchmark children answer from async callbacks; a failure there fails the run anyway.
    files: ['tests/**/*.{ts,tsx}', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }] },
  },
  {
    files: ['app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'proxy.ts'],
    plugins: { '@next/next': nextPlugin, 'react-hooks': reactHooks },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs['core-web-vitals'].rules,
      ...reactHooks.configs.recommended.rules,
      'react-hooks/exhaustive-deps': 'error',
      // The rules below judge code for the React Compiler, which the console does not run: a
      // setState in an effect or a table library's unmemoizable API is fine without it.
      'react-hooks/set-state-in-effect': 'off',
      'react-hooks/incompatible-library': 'off',
    },
    settings: { next: { rootDir: import.meta.dirname } },
  },
  {
    // Data access: SQL and Prisma calls live in repository files (repo.ts, *-repo.ts) and lib/db.
    // Elsewhere a `.query()` with literal SQL, a `prisma()` call or a raw Prisma query fails.
    files: ['lib/**/*.{ts,tsx}', 'app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'workers/**/*.ts', 'server.ts'],
    ignores: ['**/repo.ts', '**/*-repo.ts', 'lib/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query'][arguments.0.type=/^(TemplateLiteral|Literal)$/]",
          message: 'SQL lives in a repository file (repo.ts or <topic>-repo.ts) beside this one; call a named function there.',
        },
        {
          selector: "CallExpression[callee.type='Identifier'][callee.name='prisma']",
          message: 'Prisma calls live in a repository file (repo.ts or <topic>-repo.ts) beside this one; call a named function there.',
        },
        {
          selector: 'MemberExpression[property.name=/^\\$(queryRaw|executeRaw|queryRawUnsafe|executeRawUnsafe|transaction)$/]',
          message: 'Raw Prisma queries and transactions live in a repository file (repo.ts or <topic>-repo.ts).',
        },
      ],
    },
  },
  {
    // Transactions: lib/db/transaction.ts is the one place that opens, commits and rolls back.
    files: ['**/repo.ts', '**/*-repo.ts'],
    ignores: ['lib/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query'][arguments.0.value=/^(BEGIN|COMMIT|ROLLBACK)$/i]",
          message: 'Run the work through inTransaction (lib/db/transaction.ts) instead of issuing BEGIN/COMMIT/ROLLBACK.',
        },
      ],
    },
  },
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
  },
  ...layerRuleBlocks(import.meta.dirname),
);
