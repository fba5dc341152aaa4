/** One file an export writes: its name in the output directory and its text. */
export interface ExportedFile {
  name: string;
  text: string;
}

export interface ExportResult {
  files: ExportedFile[];
  /** What the target cannot express, named (never dropped in silence). */
  warnings: string[];
}
