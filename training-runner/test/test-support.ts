/**
 * The runner's test servers for tests outside the runner (the app's Playwright e2e): one typed entry instead of
 * deep paths into the runner's test folders. These are test fixtures, not the runner's API, so they are not in
 * `src/index.ts`; a project imports this file by its path and references `training-runner/tsconfig.test.json`
 * for its types (tsconfig.tools.json does).
 */
export {
  startGitHubTestServer,
  TEST_TOKEN,
  type Fault as GitHubFault,
  type GitHubTestServer,
  type GitHubTestServerOptions,
  type Permissions,
  type SeenRequest,
} from './github-test-server/github-test-server.js'
export type {
  FakePull,
  FakeRepository,
  FakeRepositoryOptions,
  SeedJob,
  SeedRun,
  SeedStep,
} from './github-test-server/fake-repository.js'
export {
  jsonFault,
  startMlflowTestServer,
  type Fault as MlflowFault,
  type MlflowTestServer,
  type MlflowTestServerOptions,
  type RecordedRequest,
} from './helpers/mlflow-test-server.js'
