// Lint rules that keep the plan of the code (issue 21 §5); formatting is prettier's job.
//  - import boundaries: the console and the CLI import only contracts (and the client SDK);
//    nothing below the API imports it; backends never import services;
//  - a file stays under 400 lines and a function under 60 (blank lines and comments not counted).
// The CLI's commands that run the platform itself in-process (`up`, `instance`, `fetch-blobs`,
// `doctor`) load it with a dynamic import(), which is where that boundary is crossed on purpose.
// A file matched by several blocks takes the last one's rule, so the narrower blocks come last
// and repeat what the wider ones forbid.
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const ROOMS_BELOW_CLIENTS = [
  'models',
  'services',
  'tasks',
  'backends',
  'store',
  'gateway',
  'instance',
  'api',
  'runtime-catalog',
  'cluster',
  'http',
  'batch',
  'files',
  'billing',
  'tokens',
  'logs',
];
const restrict = (regex, message) => ['error', { patterns: [{ regex, message, allowTypeImports: true }] }];
const rooms = (names) => `(^|/)(${names.join('|')})/`;

// Functions already over 60 lines when the rule came in (issue 21 §5, after the first
// formatting), each held at the length of its longest function so the debt can only shrink:
// lower a number when a file's longest function gets shorter, drop the line at 60.
const FUNCTION_LENGTH_DEBT = {
  'console/src/components/LineChart.tsx': 65,
  'console/src/pages/batch/BatchCreate.tsx': 118,
  'console/src/pages/batch/BatchDetail.tsx': 122,
  'console/src/pages/batch/BatchList.tsx': 79,
  'console/src/pages/billing/ResourceGroups.tsx': 119,
  'console/src/pages/models/VersionDetail.tsx': 155,
  'console/src/pages/services/CallPage.tsx': 111,
  'console/src/pages/services/OnlineTest.tsx': 128,
  'console/src/pages/services/ServiceActions.tsx': 76,
  'console/src/pages/services/ServiceCreate.tsx': 69,
  'console/src/pages/services/ServiceDetail.tsx': 72,
  'console/src/pages/services/ServiceEdit.tsx': 66,
  'console/src/pages/services/ServiceLogs.tsx': 74,
  'console/src/pages/services/ServiceRollout.tsx': 103,
  'console/src/pages/services/ServiceShadow.tsx': 99,
  'console/src/pages/services/ServiceTokens.tsx': 145,
  'console/src/pages/services/ServiceVersions.tsx': 166,
  'console/src/pages/services/VersionFields.tsx': 146,
  'console/src/pages/tasks/TaskCreate.tsx': 64,
  'console/src/pages/tasks/TaskDetail.tsx': 132,
  'src/api/plugins/model-files.ts': 84,
  'src/api/plugins/models.ts': 93,
  'src/api/plugins/services.ts': 185,
  'src/api/plugins/storage.ts': 61,
  'src/api/plugins/tasks.ts': 107,
  'src/api/plugins/tokens.ts': 67,
  'src/backends/local/local-backend.ts': 68,
  'src/cli/commands/batch.ts': 105,
  'src/cli/commands/model-files.ts': 75,
  'src/cli/commands/models.ts': 85,
  'src/cli/commands/service-tokens.ts': 81,
  'src/cli/commands/services-observe.ts': 108,
  'src/cli/commands/services-rollout.ts': 66,
  'src/cli/commands/services.ts': 138,
  'src/cli/commands/storage.ts': 69,
  'src/cli/commands/tasks.ts': 168,
  'src/cli/demo-journeys.ts': 62,
  'src/config.ts': 61,
  'src/files/zip.ts': 61,
  'src/instance/instance-main.ts': 77,
  'src/instance/runtimes/python-runtime.ts': 62,
  'src/instance/server/instance-server.ts': 70,
  'src/platform.ts': 203,
  'src/services/platform-series.ts': 73,
  'src/services/reconciler.ts': 97,
  'src/services/rollouts/rollout-manager.ts': 62,
  'src/services/rollouts/rollout-plan.ts': 62,
  'src/store/db/migrations/0002_services.ts': 79,
};
const FILE_LENGTH_DEBT = { 'src/api/plugins/models.test.ts': 449 };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'console/dist/**', '**/*.d.ts', 'python/**', 'examples/**', 'templates/**/node_modules/**'] },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  // the console's 中文 dictionary is data, one line per string
  { files: ['console/src/zh.ts'], rules: { 'max-lines': 'off' } },
  {
    files: ['src/**/*.ts', 'console/src/**/*.tsx', 'console/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.contract.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    files: ['console/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/no-restricted-imports': restrict('^(\\.\\./)+src/(?!contracts/|client/)', 'the console imports only src/contracts and src/client'),
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/api/**', 'src/platform.ts', 'src/**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(rooms(['api']), 'nothing below the API imports it; platform.ts wires the API') },
  },
  {
    files: ['src/cli/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        `${rooms(ROOMS_BELOW_CLIENTS)}|(^|/)(platform|config)\\.js$`,
        'the CLI imports only src/contracts and src/client (a command that runs the platform in-process loads it with import())',
      ),
    },
  },
  {
    files: ['src/backends/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(rooms(['services', 'api']), 'backends never import services (or the API)') },
  },
  ...Object.entries(FUNCTION_LENGTH_DEBT).map(([file, max]) => ({
    files: [file],
    rules: { 'max-lines-per-function': ['error', { max, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  })),
  ...Object.entries(FILE_LENGTH_DEBT).map(([file, max]) => ({
    files: [file],
    rules: { 'max-lines': ['error', { max, skipBlankLines: true, skipComments: true }] },
  })),
);
