/**
 * The clock of analysis budgets (`pdsLint.maxAnalysisMs`): CPU time used by this process, in
 * milliseconds. Unlike the wall clock it does not run faster on a loaded machine, so whether a
 * document fits its budget depends on the document, not on what else the machine is doing.
 */
export function cpuTime(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
