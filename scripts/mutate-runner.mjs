// Stryker test runner `kagg-tap`: @stryker-mutator/tap-runner without its coverage report.
// The tap runner reports which mutants each test file reached, but it sees only the test process, not
// the kagg processes the tests start; Stryker would then skip the tests that reach a mutant only
// through `bin/run.js` and call the mutant "no coverage". Without a report every mutant runs the
// folder's test files (scripts/mutate.mjs), up to the first that fails.
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { createTapTestRunnerFactory } from '@stryker-mutator/tap-runner';

function createRunner(injector) {
  const runner = createTapTestRunnerFactory()(injector);
  const dryRun = runner.dryRun.bind(runner);
  runner.dryRun = async (options) => {
    const result = await dryRun(options);
    delete result.mutantCoverage;
    return result;
  };
  return runner;
}
createRunner.inject = tokens(commonTokens.injector);

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'kagg-tap', createRunner)];
