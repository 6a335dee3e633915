import { describe, expect, it } from "vitest";
import { createLogger, describeError, maskPii, redactUrl } from "../src/logger";

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

describe("redactUrl and maskPii", () => {
  it("masks a URL's password and nothing else", () => {
    expect(redactUrl("mysql://root:s3cret@db:3306/app")).toBe("mysql://root:***@db:3306/app");
    expect(redactUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
    expect(redactUrl("not a url")).toBe("(unparseable url)");
  });

  it("masks addresses, phone numbers and URL credentials in free text", () => {
    const masked = maskPii("550 5.1.1 <bob.smith@example.co.uk>: unknown; call +44 20 7946 0958; via redis://:pw@h:1 at 12:30 from 127.0.0.1");
    expect(masked).toBe("550 5.1.1 <[email]>: unknown; call [phone]; via redis://:***@h:1 at 12:30 from 127.0.0.1");
  });
});

describe("describeError", () => {
  it("gives one line: the message, an AggregateError's parts (which has none), or the code", () => {
    expect(describeError(new Error("connect refused\n  at tcp"))).toBe("connect refused; at tcp");
    const both = new AggregateError([Object.assign(new Error(""), { code: "ECONNREFUSED" }), new Error("connect ECONNREFUSED 127.0.0.1:1")], "");
    expect(describeError(both)).toBe("ECONNREFUSED; connect ECONNREFUSED 127.0.0.1:1");
    expect(describeError("plain")).toBe("plain");
  });
});
