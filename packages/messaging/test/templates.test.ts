import { describe, expect, it } from "vitest";
import { PERSONALIZATION_VARIABLES, renderTemplate, templateVariables, unknownVariables } from "../src/index";

describe("renderTemplate", () => {
  it("fills {{name}} and {{ name }} placeholders", () => {
    const vars = { firstName: "Anna", lastName: "Berg", customerNumber: 42 };
    expect(renderTemplate("Hi {{firstName}} {{ lastName }}, #{{customerNumber}}", vars, { html: false })).toBe(
      "Hi Anna Berg, #42",
    );
  });

  it("escapes values in HTML mode but not the template", () => {
    const vars = { companyName: `<script>alert("x")</script> & 'Co'` };
    expect(renderTemplate("<b>{{companyName}}</b>", vars, { html: true })).toBe(
      "<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;</b>",
    );
  });

  it("leaves values untouched in text mode", () => {
    expect(renderTemplate("{{companyName}}", { companyName: "A & B <x>" }, { html: false })).toBe("A & B <x>");
  });

  it("renders null, undefined and absent values as empty strings", () => {
    expect(renderTemplate("[{{a}}][{{b}}][{{c}}]", { a: null, b: undefined }, { html: true })).toBe("[][][]");
  });

  it("never expands placeholders that arrive inside values", () => {
    expect(renderTemplate("{{firstName}}", { firstName: "{{email}}", email: "x@y.z" }, { html: false })).toBe("{{email}}");
  });

  it("supports dotted names and leaves non-placeholders alone", () => {
    expect(renderTemplate("{{company.name}} {{1bad}} {{ }} {x}", { "company.name": "ACME" }, { html: false })).toBe(
      "ACME {{1bad}} {{ }} {x}",
    );
  });

  it("does not read inherited properties", () => {
    expect(renderTemplate("{{constructor}}{{toString}}", {}, { html: false })).toBe("");
  });
});

describe("templateVariables / unknownVariables", () => {
  const template = "Dear {{ firstName }}, {{lastName}} at {{companyName}}: {{firstName}} {{ discount_code }} {{a.b}}";

  it("lists each name once in order of first use", () => {
    expect(templateVariables(template)).toEqual(["firstName", "lastName", "companyName", "discount_code", "a.b"]);
    expect(templateVariables("no placeholders")).toEqual([]);
  });

  it("reports names outside the allowed list", () => {
    expect(unknownVariables(template, PERSONALIZATION_VARIABLES)).toEqual(["discount_code", "a.b"]);
    expect(unknownVariables("{{email}} {{phone}} {{position}} {{fullName}}", PERSONALIZATION_VARIABLES)).toEqual([]);
  });

  it("exports the personalization variables", () => {
    expect(PERSONALIZATION_VARIABLES).toEqual([
      "firstName",
      "lastName",
      "fullName",
      "companyName",
      "customerNumber",
      "email",
      "phone",
      "position",
    ]);
  });
});
