import { describe, it, expect } from "vitest";
import { validateEmail } from "../src/validation/email";
import { validatePhone } from "../src/validation/phone";
import { checkAddress, isIsoCountry, type Address } from "../src/validation/address";

const INVALID_EMAIL = "must be a valid email address";
const INVALID_PHONE = "must be a valid phone number in international format, e.g. +44 20 7946 0958";
const NO_COUNTRY_CODE = "must include a country code (+…)";

describe("validateEmail (REQ-CUS-032)", () => {
  it.each([
    ["jane.doe@example.com", "jane.doe@example.com"],
    ["  jane@example.com  ", "jane@example.com"],
    ["user+tag@sub.example.co.uk", "user+tag@sub.example.co.uk"],
    ["o'brien!#$%&*=?^_`{|}~-@example.org", "o'brien!#$%&*=?^_`{|}~-@example.org"],
    ['"john doe"@example.com', '"john doe"@example.com'],
    ['"a\\"b@c"@example.com', '"a\\"b@c"@example.com'],
    ["a@my-host.example.io", "a@my-host.example.io"],
  ])("accepts %j", (input, expected) => {
    expect(validateEmail(input)).toEqual({ ok: true, value: expected });
  });

  it("lower-cases the domain but keeps the local part as typed", () => {
    expect(validateEmail("John.Doe@Example.COM")).toEqual({ ok: true, value: "John.Doe@example.com" });
  });

  it.each([
    "",
    "   ",
    "plainaddress",
    "@example.com",
    "jane@",
    "jane@example",
    "jane@@example.com",
    "jane@exa mple.com",
    "jane doe@example.com",
    ".jane@example.com",
    "jane.@example.com",
    "ja..ne@example.com",
    "jane@example..com",
    "jane@.example.com",
    "jane@-example.com",
    "jane@example-.com",
    "jane@exa_mple.com",
    "jane@example.c",
    "jane@example.c0m",
    "jane@example.123",
    "jane@[192.168.0.1]",
    '"unterminated@example.com',
    "jäne@example.com",
    "jane@exämple.com",
  ])("rejects malformed %j", (input) => {
    expect(validateEmail(input)).toEqual({ ok: false, message: INVALID_EMAIL });
  });

  it("rejects a local part longer than 64 characters", () => {
    expect(validateEmail(`${"a".repeat(64)}@example.com`).ok).toBe(true);
    expect(validateEmail(`${"a".repeat(65)}@example.com`)).toEqual({ ok: false, message: INVALID_EMAIL });
  });

  it("rejects a domain label longer than 63 characters", () => {
    expect(validateEmail(`a@${"b".repeat(63)}.com`).ok).toBe(true);
    expect(validateEmail(`a@${"b".repeat(64)}.com`)).toEqual({ ok: false, message: INVALID_EMAIL });
  });

  it("enforces the 255 character maximum after trimming", () => {
    const domain = `${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.`;
    const atLimit = `${"a".repeat(64)}@${domain}${"g".repeat(255 - 65 - domain.length)}`;
    expect(atLimit).toHaveLength(255);
    expect(validateEmail(`  ${atLimit}  `)).toEqual({ ok: true, value: atLimit });
    expect(validateEmail(`${atLimit}g`)).toEqual({ ok: false, message: "must be at most 255 characters" });
  });

  it.each([
    "jane@example.com\r\nBcc: victim@example.com",
    "jane@example.com\nBcc: victim@example.com",
    "jane@example.com\r",
    "jane@example.com\n",
    '"a\rb"@example.com',
  ])("rejects header-injection characters in %j", (input) => {
    expect(validateEmail(input)).toEqual({ ok: false, message: INVALID_EMAIL });
  });

  it.each(["temp@mailinator.com", "temp@MAILINATOR.COM", "temp@yopmail.com", "temp@inbox.mailinator.com"])(
    "rejects disposable domain %j",
    (input) => {
      expect(validateEmail(input)).toEqual({ ok: false, message: "disposable email domains are not accepted" });
    },
  );

  it("does not treat a regular domain as disposable", () => {
    expect(validateEmail("someone@gmail.com")).toEqual({ ok: true, value: "someone@gmail.com" });
  });
});

describe("validatePhone (REQ-CUS-033)", () => {
  it.each([
    ["+1-555-123-4567", "+15551234567"],
    ["+44 20 7946 0958", "+442079460958"],
    ["+91 98765 43210", "+919876543210"],
    ["+1 (202) 555.0123", "+12025550123"],
    ["  +4930123456  ", "+4930123456"],
  ])("accepts spec example %j as E.164", (input, expected) => {
    expect(validatePhone(input)).toEqual({ ok: true, value: expected });
  });

  it.each(["555-1234", "(555) 123-4567", "020 7946 0958"])(
    "requires a country code without a default country: %j",
    (input) => {
      expect(validatePhone(input)).toEqual({ ok: false, message: NO_COUNTRY_CODE });
    },
  );

  it("interprets a national number in the default country", () => {
    expect(validatePhone("020 7946 0958", "GB")).toEqual({ ok: true, value: "+442079460958" });
    expect(validatePhone("(202) 555-0123", "us")).toEqual({ ok: true, value: "+12025550123" });
  });

  it("lets an explicit country code win over the default country", () => {
    expect(validatePhone("+91 98765 43210", "GB")).toEqual({ ok: true, value: "+919876543210" });
  });

  it("rejects a national number that is impossible in the default country", () => {
    expect(validatePhone("555-1234", "US")).toEqual({ ok: false, message: INVALID_PHONE });
  });

  it("ignores an unknown default country", () => {
    expect(validatePhone("020 7946 0958", "ZZ")).toEqual({ ok: false, message: NO_COUNTRY_CODE });
  });

  it.each(["+44 20 7946 0958 ext 12", "+44/20/7946/0958", "+44 20 7946 0958#", "+44_20_7946_0958", "tel:+442079460958"])(
    "rejects disallowed characters in %j",
    (input) => {
      expect(validatePhone(input)).toEqual({ ok: false, message: INVALID_PHONE });
    },
  );

  it.each(["", "   ", "+", "+-() .", "+44 20", "+44 20 7946 0958 1234 5678", "+999 1234567"])(
    "rejects invalid number %j",
    (input) => {
      expect(validatePhone(input)).toEqual({ ok: false, message: INVALID_PHONE });
    },
  );
});

describe("isIsoCountry", () => {
  it("accepts assigned codes case-insensitively", () => {
    for (const code of ["US", "gb", "De", "AQ", "SS", "BQ"]) expect(isIsoCountry(code)).toBe(true);
  });

  it("rejects unassigned, reserved and malformed codes", () => {
    for (const code of ["UK", "EU", "XK", "ZZ", "USA", "U", "", "1A"]) expect(isIsoCountry(code)).toBe(false);
  });
});

describe("checkAddress (REQ-CUS-014/015/034)", () => {
  const valid: Address = {
    street: "1600 Pennsylvania Ave NW",
    city: "Washington",
    state: "DC",
    zipCode: "20500",
    country: "US",
  };

  it("accepts a valid address without warnings", () => {
    expect(checkAddress(valid)).toEqual({ ok: true, value: valid, warnings: [] });
  });

  it("trims fields and normalizes country and zip code", () => {
    const result = checkAddress({
      street: "  10 Downing Street ",
      city: " London ",
      state: " England ",
      zipCode: "  sw1a \t  2aa ",
      country: " gb ",
    });
    expect(result).toEqual({
      ok: true,
      value: { street: "10 Downing Street", city: "London", state: "England", zipCode: "SW1A 2AA", country: "GB" },
      warnings: [],
    });
  });

  it("reports every missing field as required", () => {
    const result = checkAddress({ street: "", city: "  ", state: "\t", zipCode: "", country: " " });
    expect(result).toEqual({
      ok: false,
      errors: {
        street: ["is required"],
        city: ["is required"],
        state: ["is required"],
        zipCode: ["is required"],
        country: ["is required"],
      },
    });
  });

  it("reports only the failing field", () => {
    expect(checkAddress({ ...valid, city: "" })).toEqual({ ok: false, errors: { city: ["is required"] } });
  });

  it("enforces maximum lengths", () => {
    const atLimit = { ...valid, street: "s".repeat(255), city: "c".repeat(100), state: "t".repeat(100) };
    expect(checkAddress(atLimit).ok).toBe(true);
    const result = checkAddress({
      ...valid,
      street: "s".repeat(256),
      city: "c".repeat(101),
      state: "t".repeat(101),
      zipCode: "1".repeat(21),
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        street: ["must be at most 255 characters"],
        city: ["must be at most 100 characters"],
        state: ["must be at most 100 characters"],
        zipCode: ["must be at most 20 characters"],
      },
    });
  });

  it("counts characters, not UTF-16 units", () => {
    expect(checkAddress({ ...valid, city: "😀".repeat(100) }).ok).toBe(true);
  });

  it.each(["USA", "UK", "ZZ", "U", "12"])("rejects non-ISO country %j", (country) => {
    expect(checkAddress({ ...valid, country })).toEqual({
      ok: false,
      errors: { country: ["must be an ISO 3166-1 alpha-2 country code"] },
    });
  });

  it.each([
    ["US", "ABC"],
    ["US", "1234"],
    ["GB", "12345"],
    ["DE", "ABC"],
    ["DE", "1234"],
  ])("warns (not errors) when the %s postal code %j does not match", (country, zipCode) => {
    expect(checkAddress({ ...valid, country, zipCode })).toEqual({
      ok: true,
      value: { ...valid, country, zipCode },
      warnings: [`zipCode "${zipCode}" does not match the postal code format of ${country}`],
    });
  });

  it.each([
    ["US", "20500-0003"],
    ["GB", "SW1A 1AA"],
    ["DE", "10115"],
  ])("does not warn for a valid %s postal code %j", (country, zipCode) => {
    expect(checkAddress({ ...valid, country, zipCode })).toMatchObject({ ok: true, warnings: [] });
  });

  it("skips the postal check for countries without a known format", () => {
    expect(checkAddress({ ...valid, country: "AQ", zipCode: "ANYTHING" })).toMatchObject({ ok: true, warnings: [] });
  });

  it("uses the normalized zip code in the warning", () => {
    expect(checkAddress({ ...valid, country: "DE", zipCode: " abc  def " })).toMatchObject({
      ok: true,
      warnings: ['zipCode "ABC DEF" does not match the postal code format of DE'],
    });
  });
});
