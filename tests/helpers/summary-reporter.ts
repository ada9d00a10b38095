/**
 * Ends every run with one plain line, `N passed, N failed, N skipped`, which any CI reader
 * understands without knowing vitest's own summary format.
 */
import type { Reporter, TestModule } from 'vitest/node'

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const count = { passed: 0, failed: 0, skipped: 0 }
    for (const m of modules) {
      const tests = [...m.children.allTests()]
      for (const test of tests) {
        const state = test.result().state
        if (state === 'passed' || state === 'failed' || state === 'skipped') count[state] += 1
      }
      // A file that fails to load, or whose beforeAll throws (its tests then read as skipped),
      // is a failure all the same.
      if (m.state() === 'failed' && !tests.some((t) => t.result().state === 'failed')) count.failed += 1
    }
    process.stdout.write(`\n${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped\n`)
  }
}
