import { describe, expect, it } from "vitest";
import { missing } from "./privileges";

describe("missing(roles, privilege)", () => {
  it("is null when a role grants the privilege (the domain's matrix)", () => {
    expect(missing(["SalesRep"], "customer:create")).toBeNull();
    expect(missing(["Viewer", "CustomerManager"], "customer:delete")).toBeNull();
  });

  it("names the roles and the privilege they lack", () => {
    expect(missing(["Viewer"], "customer:update")).toBe("Your role (Viewer) does not grant customer:update.");
    expect(missing(["SupportAgent", "SalesRep"], "customer:delete")).toBe("Your roles (SupportAgent, SalesRep) do not grant customer:delete.");
  });
});
