import { describe, expect, it } from "vitest";
import { CONTACT_MAPPING, customerMapping, mappingErrorsOf, mappingState, mappingsToSend, previewRows, requiredField } from "./import-mapping";

const create = customerMapping({ mode: "create", matchOn: "email" });
const columns = ["Type", "Company Name", "E-mail", "Tel", "Labels"];

describe("the import wizard's column mapping", () => {
  it("maps same-named columns by themselves (case and punctuation ignored) and says which ones", () => {
    const s = mappingState(columns, {}, create);
    expect(s.effective).toEqual({ type: "Type", companyName: "Company Name" });
    expect([...s.byName].sort()).toEqual(["companyName", "type"]);
    // The email column has another name: a create cannot run until it is mapped, as the API says.
    expect(s.errors).toEqual({ primaryEmail: "is required: map it to a column" });
  });

  it("takes the user's picks over names, and is ready once the required field is mapped", () => {
    const s = mappingState(columns, { primaryEmail: "E-mail", primaryPhone: "Tel", tags: "Labels", companyName: "Type" }, create);
    expect(s.effective).toEqual({ type: "Type", companyName: "Type", primaryEmail: "E-mail", primaryPhone: "Tel", tags: "Labels" });
    expect([...s.byName]).toEqual(["type"]);
    expect(s.errors).toEqual({});
    expect(JSON.parse(mappingsToSend(s))).toEqual(s.effective);
  });

  it("an upsert by customer number needs the number mapped, not the email", () => {
    const byNumber = customerMapping({ mode: "upsert", matchOn: "customerNumber" });
    expect(requiredField({ mode: "upsert", matchOn: "customerNumber" })).toBe("customerNumber");
    expect(requiredField({ mode: "upsert", matchOn: "email" })).toBe("primaryEmail");
    expect(mappingState(["Number", "Name"], {}, byNumber).errors).toEqual({ customerNumber: "is required: map it to a column" });
    expect(mappingState(["Number", "Name"], { customerNumber: "Number" }, byNumber).errors).toEqual({});
  });

  it("an emptied pick is no pick (the field falls back to its name)", () => {
    expect(mappingState(columns, { type: "" }, create).effective.type).toBe("Type");
  });

  it("previews the first rows as the import reads them: trimmed cells, split tags, export quotes undone", () => {
    const s = mappingState(columns, { primaryEmail: "E-mail", tags: "Labels" }, create);
    const p = previewRows([{ Type: " SmallBusiness ", "Company Name": "'=Acme", "E-mail": "a@b.example", Tel: "1", Labels: "vip; gold|x" }], s.effective);
    expect(p.fields).toEqual(["type", "companyName", "primaryEmail", "tags"]);
    expect(p.rows).toEqual([{ type: "SmallBusiness", companyName: "=Acme", primaryEmail: "a@b.example", tags: "vip, gold, x" }]);
  });

  it("puts the API's mapping errors beside their fields and ignores the others", () => {
    expect(mappingErrorsOf({ "mappings.primaryEmail": ["is required: map it to a column"], "mappings.nickname": ["is not a customer field"], file: ["has no records"] }, create)).toEqual({
      primaryEmail: "is required: map it to a column",
    });
  });

  it("maps a contact file by the same rules: names and email required, a customer column optional", () => {
    const s = mappingState(["First name", "Surname", "Email", "Customer number"], {}, CONTACT_MAPPING);
    expect(s.effective).toEqual({ firstName: "First name", email: "Email", customerNumber: "Customer number" });
    expect(s.errors).toEqual({ lastName: "is required: map it to a column" });
    const mapped = mappingState(["First name", "Surname", "Email"], { lastName: "Surname" }, CONTACT_MAPPING);
    expect(mapped.errors).toEqual({});
    expect(JSON.parse(mappingsToSend(mapped))).toEqual({ firstName: "First name", lastName: "Surname", email: "Email" });
    // A picked column the file lacks is named, as the API would answer it.
    expect(mappingState(["First name"], { email: "Mail" }, CONTACT_MAPPING).errors.email).toMatch(/column "Mail" is not in the file/);
    expect(mappingErrorsOf({ "mappings.email": ["is required: map it to a column"], "mappings.primaryEmail": ["x"] }, CONTACT_MAPPING)).toEqual({ email: "is required: map it to a column" });
  });
});
