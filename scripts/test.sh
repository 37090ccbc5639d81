#!/usr/bin/env bash
# The whole test suite (what `npm test` and CI run): set up what is missing, typecheck,
# lint, check the formatting, run every test, and close with one plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
npm run --silent typecheck || exit 1   # the platform and the console (console/tsconfig.json)
npm run --silent lint || exit 1        # import boundaries, file and function lengths (eslint.config.js)
npm run --silent format:check || exit 1   # prettier, 160 columns (.prettierrc.json)
mkdir -p test-artifacts
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@"
rc=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
' 2>/dev/null || true
exit $rc
