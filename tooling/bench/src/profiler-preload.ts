/**
 * Loaded into the API process by `pnpm bench --profile DIR` (node --import): each SIGUSR2 toggles
 * the V8 CPU profiler, so the bench profiles exactly the measured part of each scenario (not the
 * warm-up, not the others) and writes `<DIR>/<n>.cpuprofile` when it stops. The file opens in
 * Chrome DevTools or speedscope; profile-summary.ts prints its top frames.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { profilerEnv } from "./env";

const dir = profilerEnv();
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  let count = 0;
  let busy: Promise<void> = Promise.resolve();
  process.on("SIGUSR2", () => {
    busy = busy.then(async () => {
      if (!running) {
        await session.post("Profiler.enable");
        await session.post("Profiler.setSamplingInterval", { interval: 200 });
        await session.post("Profiler.start");
        running = true;
        return;
      }
      const { profile } = await session.post("Profiler.stop");
      running = false;
      const file = path.join(dir, `${++count}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      // The bench waits for this line before it reads the file.
      console.log(`profile written: ${file}`);
    });
  });
}
