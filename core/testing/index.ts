/** Test helpers for plugin authors: `import { createPluginHarness } from 'zmart/testing'`. */
export { createPluginHarness, type HarnessOptions, type PluginHarness } from './plugin-harness.js';
export { FakeClock } from './fake-clock.js';
export { MemoryLogs, type LogRecord } from './memory-logs.js';
export { FakeHttpClient, type FakeAnswer } from './fake-http.js';
export { FakeProcesses } from './fake-processes.js';
export { FakeSystem } from './fake-system.js';
export { MemoryPids } from './memory-pids.js';
export { FakeFiles } from './fake-files.js';
