import { describe, expect, it } from "vitest";
import { classifyInbound } from "../src/index";

describe("classifyInbound", () => {
  it.each(["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "revoke", "OptOut", "  stop \n"])(
    "%j is an opt-out",
    (body) => expect(classifyInbound(body)).toBe("opt-out"),
  );

  it.each(["START", "yes", "Unstop", "\tSTART "])("%j is an opt-in", (body) => {
    expect(classifyInbound(body)).toBe("opt-in");
  });

  it.each(["HELP", "info", " Help "])("%j asks for help", (body) => {
    expect(classifyInbound(body)).toBe("help");
  });

  it.each(["Stop calling me", "STOP!", "please stop", "", "   ", "ſtop", "STOPP", "yes please", "S T O P"])(
    "%j is no keyword",
    (body) => expect(classifyInbound(body)).toBeNull(),
  );
});
