/** One file an export writes beside its main document. */
export interface ExportedFile {
  name: string;
  content: string;
  /** Owner-only: it holds environment values. */
  secret?: boolean;
}

/** What an export produces: the target's document, files that go with it, and what did not carry. */
export interface FleetExport<Document> {
  document: Document;
  files: ExportedFile[];
  /** What the target cannot carry, one line each. */
  notCarried: string[];
  /** The document itself holds secret values: written owner-only. */
  secretDocument?: boolean;
}
