import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// Core runs in browsers, Node, Deno, Bun and workers: web standards only.
const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'zlib',
]
const runtimeGlobals = [
  'window',
  'document',
  'localStorage',
  'sessionStorage',
  'navigator',
  'location',
  'history',
  'indexedDB',
  'BroadcastChannel',
  'process',
  'Buffer',
  'global',
  '__dirname',
  '__filename',
  'require',
  'setImmediate',
].map((name) => ({ name, message: '@oidckit/core is runtime-neutral: web-standard globals only.' }))

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.turbo/**', 'docs/api/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: '@oidckit/core is runtime-neutral: no Node built-ins.',
          })),
          patterns: [
            { group: ['node:*'], message: '@oidckit/core is runtime-neutral: no Node built-ins.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...runtimeGlobals],
    },
  },
  {
    files: [
      '**/*.{test,spec}.{ts,tsx}',
      '**/test/**',
      'scripts/**',
      'bench/**',
      'examples/**',
      '**/cli.ts',
      '**/bin/**',
    ],
    rules: { 'no-console': 'off' },
  },
)
