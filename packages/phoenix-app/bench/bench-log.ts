/** The app bench's progress and warnings, on stderr (stdout carries the results tables). */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
