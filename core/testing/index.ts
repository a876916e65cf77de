/** Test helpers for plugin authors: `import { createPluginHarness } from 'zmart/testing'`. */
export { createPluginHarness, type HarnessOptions, type PluginHarness } from './plugin-harness.js';
export { FakeClock } from './fake-clock.js';
export { MemoryLogs, type LogRecord } from './memory-logs.js';
