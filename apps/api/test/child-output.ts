import type { ChildProcess } from "node:child_process";

/**
 * A spawned process's stdout and stderr collected as one text, its exit ("close": by then the last
 * output has been read), and a wait for the first match of a pattern in that output.
 */
export function collectOutput(proc: ChildProcess) {
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once("close", (code) => resolve(code)));
  const output = () => out;
  /** Rejects, carrying the output so far, after `timeoutMs` or once the process has exited without a match. */
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms in:\n${out}`)), timeoutMs);
      const check = () => {
        const match = pattern.exec(out);
        if (!match) return;
        clearTimeout(timer);
        proc.stdout!.off("data", check);
        proc.stderr!.off("data", check);
        resolve(match);
      };
      check();
      proc.stdout!.on("data", check);
      proc.stderr!.on("data", check);
      void exited.then(() => {
        check();
        clearTimeout(timer);
        reject(new Error(`exited before ${pattern}:\n${out}`));
      });
    });
  return { exited, output, waitFor };
}
