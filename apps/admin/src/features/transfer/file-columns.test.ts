import { describe, expect, it } from "vitest";
import { readFileColumns } from "./file-columns";

const read = (content: string | Uint8Array<ArrayBuffer>) => readFileColumns(new Blob([content]));

describe("reading an import file's columns in the browser", () => {
  it("reads a CSV header as the API names it: trimmed, quoted cells whole, blanks and repeats named", async () => {
    expect(await read('\uFEFF First name ,"Last, name","Say ""hi""",,Phone,Phone,,\r\nA,B,C,D,E,F\n')).toEqual({
      format: "CSV",
      columns: ["First name", "Last, name", 'Say "hi"', "column_4", "Phone", "Phone (2)"],
    });
  });

  it("takes the delimiter the header uses most (semicolon, tab), skipping blank lines before it", async () => {
    expect(await read("\n\nfirstName;lastName;email\n")).toEqual({ format: "CSV", columns: ["firstName", "lastName", "email"] });
    expect(await read("a\tb,c\td\n")).toEqual({ format: "CSV", columns: ["a", "b,c", "d"] });
    // A quoted header cell may span lines.
    expect(await read('"multi\nline",x\n1,2')).toEqual({ format: "CSV", columns: ["multi\nline", "x"] });
  });

  it("reads a JSON file's keys (an array, or { contacts: [...] }) in first-seen order", async () => {
    expect(await read(' [{"firstName":"A"," email ":"a@x.example"},{"lastName":"B","firstName":"C"}]')).toEqual({ format: "JSON", columns: ["firstName", "email", "lastName"] });
    expect(await read('{"contacts":[{"email":"a@x.example"}]}')).toEqual({ format: "JSON", columns: ["email"] });
  });

  it("answers no columns where it cannot tell them: Excel, malformed JSON, an empty file, binary content", async () => {
    expect(await read(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]))).toEqual({ format: "Excel", columns: null });
    expect(await read("[{")).toEqual({ format: "JSON", columns: null });
    expect(await read('{"rows":[]}')).toEqual({ format: "JSON", columns: null });
    expect(await read("")).toEqual({ format: "CSV", columns: null });
    // A PNG: the API names what it is.
    expect(await read(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).toEqual({ format: "not a table", columns: null });
  });
});
