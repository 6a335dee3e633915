import { describe, expect, it } from "vitest";
import { safeNext } from "./oidc";

// Where the app goes after the IdP's round trip comes from the URL (?next=), so only its own paths count.
describe("safeNext", () => {
  it("keeps a path of this app, with its search", () => {
    expect(safeNext("/tasks")).toBe("/tasks");
    expect(safeNext("/customers?q=acme&status=Active")).toBe("/customers?q=acme&status=Active");
  });

  it("sends anything else to the customers screen: other sites, protocol-relative URLs, the sign-in pages, nothing", () => {
    for (const next of ["https://evil.example/", "//evil.example/admin", "/\\evil.example", "javascript:alert(1)", "/sign-in?next=/tasks", "/auth/callback?code=x", "", undefined]) {
      expect(safeNext(next), String(next)).toBe("/customers");
    }
  });
});
