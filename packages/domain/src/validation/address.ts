import { postcodeValidator, postcodeValidatorExistsForCountry } from "postcode-validator";

export type Address = { street: string; city: string; state: string; zipCode: string; country: string };

export type AddressCheck =
  | { ok: true; value: Address; warnings: string[] }
  | { ok: false; errors: Record<string, string[]> };

type Field = keyof Address;

// Upper bounds match the column sizes (REQ-CUS-014); country is always exactly 2 letters.
const MAX_LENGTHS: Record<Exclude<Field, "country">, number> = {
  street: 255,
  city: 100,
  state: 100,
  zipCode: 20,
};

const REQUIRED = "is required";
const NOT_ISO = "must be an ISO 3166-1 alpha-2 country code";

// Officially assigned ISO 3166-1 alpha-2 codes (249); reserved codes such as UK, EU, XK are excluded.
const ISO_COUNTRIES: ReadonlySet<string> = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
    "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
    "DE DJ DK DM DO DZ " +
    "EC EE EG EH ER ES ET " +
    "FI FJ FK FM FO FR " +
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
    "HK HM HN HR HT HU " +
    "ID IE IL IM IN IO IQ IR IS IT " +
    "JE JM JO JP " +
    "KE KG KH KI KM KN KP KR KW KY KZ " +
    "LA LB LC LI LK LR LS LT LU LV LY " +
    "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
    "NA NC NE NF NG NI NL NO NP NR NU NZ " +
    "OM " +
    "PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
    "QA " +
    "RE RO RS RU RW " +
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
    "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
    "UA UG UM US UY UZ " +
    "VA VC VE VG VI VN VU " +
    "WF WS " +
    "YE YT " +
    "ZA ZM ZW"
  ).split(" "),
);

/** True for an officially assigned ISO 3166-1 alpha-2 code, in any letter case. */
export function isIsoCountry(code: string): boolean {
  return ISO_COUNTRIES.has(code.trim().toUpperCase());
}

/**
 * REQ-CUS-014/015/034: trims and normalizes every field; a postal code that does not match its
 * country's format is only a warning, since format tables lag behind real-world postal changes.
 */
export function checkAddress(input: Address): AddressCheck {
  const value: Address = {
    street: input.street.trim(),
    city: input.city.trim(),
    state: input.state.trim(),
    zipCode: input.zipCode.trim().replace(/\s+/g, " ").toUpperCase(),
    country: input.country.trim().toUpperCase(),
  };

  const errors: Record<string, string[]> = {};
  const addError = (field: Field, message: string): void => {
    (errors[field] ??= []).push(message);
  };

  for (const [field, max] of Object.entries(MAX_LENGTHS) as [Exclude<Field, "country">, number][]) {
    const text = value[field];
    if (text === "") addError(field, REQUIRED);
    // Code points, not UTF-16 units, so the limit matches a utf8mb4 VARCHAR.
    else if ([...text].length > max) addError(field, `must be at most ${max} characters`);
  }

  // An ISO code is exactly two letters, so this one message also covers the length limit.
  if (value.country === "") addError("country", REQUIRED);
  else if (!ISO_COUNTRIES.has(value.country)) addError("country", NOT_ISO);

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const warnings: string[] = [];
  if (
    postcodeValidatorExistsForCountry(value.country) &&
    !postcodeValidator(value.zipCode, value.country)
  ) {
    warnings.push(`zipCode "${value.zipCode}" does not match the postal code format of ${value.country}`);
  }
  return { ok: true, value, warnings };
}
