/**
 * The default log sink: lines go to stdout in one write per event-loop turn
 * instead of one `console.log` (one write) per line. Under load the
 * emulator logs a line per invocation; a turn that handles a hundred
 * messages now costs one write. Order is kept; pending lines are written
 * before the process exits.
 */
let pending: string[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const text = `${pending.join("\n")}\n`;
  pending = [];
  process.stdout.write(text);
}

process.on("exit", flush);

export function batchedStdout(line: string): void {
  pending.push(line);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}
