import { describe, expect, it } from "vitest";
import { startTestServer } from "./harness";

describe("a server stopped right after it started", () => {
  it("closes cleanly (no unhandled rejection from a Redis connection still connecting)", async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      for (let i = 0; i < 5; i++) await (await startTestServer()).close();
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      process.off("unhandledRejection", onRejection);
    }
    expect(rejections.map((r) => (r as Error).stack)).toEqual([]);
  });
});
