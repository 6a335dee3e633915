import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger("info", "test", { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe("createLogger", () => {
  it("redacts emails, phones, names and addresses at any of the first levels", () => {
    const { log, lines } = capture();
    log.info(
      {
        primaryEmail: "ada@example.com",
        customer: { primaryPhone: "+442079460958", companyName: "Ada Ltd", name: "Ada", billingAddress: { street: "1 High St" } },
        input: { contact: { email: "b@example.com", firstName: "Bob" } },
        traceId: "abc-123",
      },
      "something happened",
    );
    const text = JSON.stringify(lines[0]);
    for (const pii of ["ada@example.com", "+442079460958", "Ada Ltd", "\"Ada\"", "1 High St", "b@example.com", "Bob"]) {
      expect(text).not.toContain(pii);
    }
    expect(lines[0]).toMatchObject({ name: "test", traceId: "abc-123", msg: "something happened", primaryEmail: "[redacted]" });
  });
});
