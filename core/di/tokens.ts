/**
 * The DI tokens: one per seam whose real implementation the composition root chooses
 * (`core/composition-root.ts`). The interfaces behind them are in `contracts.ts`.
 */
export const TOKENS = {
  Config: Symbol('Config'),
  Clock: Symbol('Clock'),
  Scheduler: Symbol('Scheduler'),
  ProcessRunner: Symbol('ProcessRunner'),
  ProcessInspector: Symbol('ProcessInspector'),
  Logs: Symbol('Logs'),
  PidStore: Symbol('PidStore'),
  HttpClient: Symbol('HttpClient'),
  /** The machine's memory and disks (SystemInfo). */
  SystemInfo: Symbol('SystemInfo'),
  /** Builds each plugin's `ctx.processes` (PluginProcessesFactory). */
  PluginProcesses: Symbol('PluginProcesses'),
  /** Watches files for plugins (FileWatcher). */
  FileWatcher: Symbol('FileWatcher'),
  /** Hides secrets in everything zmart shows or sends (Redactor). */
  Redactor: Symbol('Redactor'),
  /** Where processes are looked up: /proc, or ps and lsof (ProcessTable). */
  ProcessTable: Symbol('ProcessTable'),
  /** The environment services inherit (Environment). */
  Environment: Symbol('Environment'),
} as const;
