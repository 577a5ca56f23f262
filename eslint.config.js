// @ts-check
import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * Layer rules (docs/ARCHITECTURE.md): each folder may import only what is below it. `extra` adds pattern groups with
 * their own message (one `no-restricted-imports` per file: a later config object would replace, not extend, it).
 */
const layer = ({ names = [], patterns = [] }, message, extra = []) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: names.map((name) => ({ name, message })),
      patterns: [...(patterns.length === 0 ? [] : [{ group: patterns, message }]), ...extra],
    },
  ],
})

/**
 * The runner has one front door (`training-runner` → training-runner/src/index.ts, docs/RUNNER-API.md): outside the
 * package nothing imports its inner files, by package subpath or by relative path. Its own tests may go deeper.
 */
const RUNNER_ENTRY_ONLY = {
  group: ['training-runner/*', '**/training-runner/**'],
  message:
    "Import the runner through its entry (`from 'training-runner'`, see docs/RUNNER-API.md); its inner files are not its API. Missing something? Export it from training-runner/src/index.ts.",
}

/**
 * Tests outside the runner (e2e, benches) may also use its second, test-only front door: `training-runner/test-support`
 * (its GitHub and MLflow test servers, training-runner/test/test-support.ts). Nothing else inside it. The negation
 * comes last: in these gitignore-style groups the last matching pattern wins.
 */
const RUNNER_ENTRY_OR_TEST_SUPPORT = {
  ...RUNNER_ENTRY_ONLY,
  group: ['training-runner/*', '**/training-runner/**', '!training-runner/test-support'],
}

const NODE_BUILTINS = [
  'fs',
  'fs/promises',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'stream',
  'url',
  'util',
  'buffer',
  'process',
]

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'out/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
      '.scratch/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'training-runner/bin/*.js', 'bench/lib/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: false }],
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportDefaultDeclaration',
          message: 'Use named exports (default exports only in tool config files).',
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**', 'bench/**', '**/test/**', '**/test-support/**'],
    // Playwright fixtures take `{}` when they use no other fixture.
    rules: { 'max-lines': 'off', '@typescript-eslint/no-non-null-assertion': 'off', 'no-empty-pattern': 'off' },
  },
  {
    files: ['*.config.ts', '*.config.js', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src-shared/**/*.ts'],
    ignores: ['src-shared/**/*.test.ts', 'src-shared/test-support/**'],
    rules: layer(
      {
        names: [...NODE_BUILTINS, 'electron', 'react', 'react-dom', 'training-runner', 'sharp', 'simple-git'],
        patterns: [
          'node:*',
          'training-runner/*',
          '@aws-sdk/*',
          '@tensorflow/*',
          '**/src-main/**',
          '**/src-renderer/**',
          '**/training-runner/**',
        ],
      },
      'src-shared is pure domain code: no Node, DOM, Electron, SDKs or other layers.',
    ),
  },
  {
    files: ['training-runner/src/**/*.ts'],
    rules: layer(
      { names: ['electron', 'react', 'react-dom'], patterns: ['**/src-main/**', '**/src-renderer/**'] },
      'The runner is a Node library and CLI: it never imports Electron, the app or the UI.',
    ),
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**'],
    rules: layer(
      { names: ['electron', 'react'], patterns: ['**/src-renderer/**'] },
      'Only src-main/electron may import Electron; main never imports the renderer.',
      [RUNNER_ENTRY_ONLY],
    ),
  },
  {
    files: ['src-main/electron/**/*.ts'],
    rules: layer({ names: ['react'], patterns: ['**/src-renderer/**'] }, 'Main never imports the renderer.', [
      RUNNER_ENTRY_ONLY,
    ]),
  },
  {
    files: ['hooks/**', '.ci/**'],
    rules: layer({}, '', [RUNNER_ENTRY_ONLY]),
  },
  {
    files: ['bench/**', 'e2e/**'],
    rules: layer({}, '', [RUNNER_ENTRY_OR_TEST_SUPPORT]),
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...layer(
        {
          names: [...NODE_BUILTINS, 'electron', 'training-runner', 'sharp', 'simple-git'],
          patterns: ['node:*', 'training-runner/*', '**/src-main/**', '**/training-runner/**'],
        },
        'The renderer talks to main only through the IPC contract (@wms/shared/ipc/contract).',
      ),
    },
  },
)
