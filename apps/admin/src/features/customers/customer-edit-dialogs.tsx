import { COMMUNICATION_CHANNELS, type CommunicationChannel } from "@clientele/domain";
import { Checkbox, Fieldset, MultiSelect, Radio, SimpleGrid, Stack, Textarea, TextInput } from "@mantine/core";
import type { RouterInputs } from "@clientele/sdk";
import { useTRPC } from "../../trpc";
import { SectionEditDialog, type Customer, type Section } from "./edit-section-dialog";

export type EditSection = "profile" | "contactInfo" | "billingAddress" | "shippingAddress" | "preferences";
type Update = RouterInputs["customers"]["update"];
type Props = { customer: Customer; onClose: () => void; onSaved: (warnings: string[]) => void };

/** The value to send for an optional text: empty clears it. */
const orNull = (v: string) => v.trim() || null;

type ProfileForm = { companyName: string; industry: string; notes: string };
const PROFILE: Section<ProfileForm, Update> = {
  title: "Edit profile",
  labels: { companyName: "Name", industry: "Industry", notes: "Notes" },
  formOf: (c) => ({ companyName: c.profile.companyName, industry: c.profile.industry ?? "", notes: c.profile.notes ?? "" }),
  inputOf: (on, changed, f) => ({
    id: on.id,
    version: on.version,
    profile: {
      ...(changed.includes("companyName") && on.profile.type !== "Individual" ? { companyName: f.companyName } : {}),
      ...(changed.includes("industry") ? { industry: orNull(f.industry) } : {}),
      ...(changed.includes("notes") ? { notes: orNull(f.notes) } : {}),
    },
  }),
};

type ContactForm = { primaryEmail: string; secondaryEmail: string; primaryPhone: string; secondaryPhone: string; website: string };
const CONTACT: Section<ContactForm, Update> = {
  title: "Edit contact info",
  labels: { primaryEmail: "Primary email", secondaryEmail: "Secondary email", primaryPhone: "Primary phone", secondaryPhone: "Secondary phone", website: "Website" },
  formOf: (c) => ({
    primaryEmail: c.contactInfo.primaryEmail,
    secondaryEmail: c.contactInfo.secondaryEmail ?? "",
    primaryPhone: c.contactInfo.primaryPhone,
    secondaryPhone: c.contactInfo.secondaryPhone ?? "",
    website: c.contactInfo.website ?? "",
  }),
  inputOf: (on, changed, f) => ({
    id: on.id,
    version: on.version,
    contactInfo: Object.fromEntries(
      (["primaryEmail", "secondaryEmail", "primaryPhone", "secondaryPhone"] as const).filter((k) => changed.includes(k)).map((k) => [k, k.startsWith("primary") ? f[k] : orNull(f[k])]),
    ),
    // The website is a profile field in the API's record (shown with the contact info).
    ...(changed.includes("website") ? { profile: { website: orNull(f.website) } } : {}),
  }),
};

type AddressForm = { street: string; city: string; state: string; zipCode: string; country: string };
const ADDRESS_LABELS = { street: "Street", city: "City", state: "State / region", zipCode: "Postal code", country: "Country (ISO code)" };
const addressOf = (a: Customer["contactInfo"]["shippingAddress"]): AddressForm => ({ street: a?.street ?? "", city: a?.city ?? "", state: a?.state ?? "", zipCode: a?.zipCode ?? "", country: a?.country ?? "" });
const BILLING: Section<AddressForm, Update> = {
  title: "Edit billing address",
  labels: ADDRESS_LABELS,
  formOf: (c) => addressOf(c.contactInfo.billingAddress),
  // The address is one value: every part is sent, changed or not.
  inputOf: (on, _changed, f) => ({ id: on.id, version: on.version, contactInfo: { billingAddress: f } }),
};

type ShippingForm = AddressForm & { mode: string };
const SHIPPING: Section<ShippingForm, RouterInputs["customers"]["updateShippingAddress"]> = {
  title: "Edit shipping address",
  labels: { mode: "Shipping address", ...ADDRESS_LABELS },
  formOf: (c) => ({ mode: c.contactInfo.shippingAddress ? "own" : "none", ...addressOf(c.contactInfo.shippingAddress) }),
  inputOf: (on, _changed, { mode, ...address }) => ({
    id: on.id,
    version: on.version,
    ...(mode === "billing" ? { sameAsBilling: true } : { shippingAddress: mode === "own" ? address : null }),
  }),
};

type PreferencesForm = {
  channels: string[];
  frequency: string;
  preferredLanguage: string;
  timeZone: string;
  notifyEmail: boolean;
  notifySms: boolean;
  notifyPush: boolean;
  marketingConsent: boolean;
  dataProcessingConsent: boolean;
};
const PREFERENCES: Section<PreferencesForm, Update> = {
  title: "Edit preferences and consent",
  labels: {
    channels: "Channels",
    frequency: "Frequency",
    preferredLanguage: "Language",
    timeZone: "Time zone",
    notifyEmail: "Email notifications",
    notifySms: "SMS notifications",
    notifyPush: "Push notifications",
    marketingConsent: "Marketing consent",
    dataProcessingConsent: "Data processing consent",
  },
  formOf: ({ preferences: p }) => ({
    channels: p.communication.channels,
    frequency: p.communication.frequency ?? "",
    preferredLanguage: p.preferredLanguage,
    timeZone: p.timeZone,
    notifyEmail: p.notifications.email,
    notifySms: p.notifications.sms,
    notifyPush: p.notifications.push,
    marketingConsent: p.marketingConsent,
    dataProcessingConsent: p.dataProcessingConsent,
  }),
  // A patch: only what changed is sent, so a concurrent change to another preference is kept on re-apply.
  inputOf: (on, changed, f) => {
    const has = (k: keyof PreferencesForm) => changed.includes(k);
    const communication = {
      ...(has("channels") ? { channels: f.channels as CommunicationChannel[] } : {}),
      ...(has("frequency") ? { frequency: orNull(f.frequency) } : {}),
    };
    const notifications = {
      ...(has("notifyEmail") ? { email: f.notifyEmail } : {}),
      ...(has("notifySms") ? { sms: f.notifySms } : {}),
      ...(has("notifyPush") ? { push: f.notifyPush } : {}),
    };
    return {
      id: on.id,
      version: on.version,
      preferences: {
        ...(Object.keys(communication).length ? { communication } : {}),
        ...(Object.keys(notifications).length ? { notifications } : {}),
        ...(has("preferredLanguage") ? { preferredLanguage: f.preferredLanguage } : {}),
        ...(has("timeZone") ? { timeZone: f.timeZone } : {}),
        ...(has("marketingConsent") ? { marketingConsent: f.marketingConsent } : {}),
        ...(has("dataProcessingConsent") ? { dataProcessingConsent: f.dataProcessingConsent } : {}),
      },
    };
  },
};

/** The dialog editing one section of the record, all through the customer's update (PUT) procedure but the shipping address, which has its own. */
export function EditSectionDialogFor({ section, ...props }: Props & { section: EditSection }) {
  const trpc = useTRPC();
  const update = trpc.customers.update.mutationOptions().mutationFn;
  const shipping = trpc.customers.updateShippingAddress.mutationOptions().mutationFn;
  const individual = props.customer.profile.type === "Individual";
  const addressFields = (text: (k: keyof AddressForm) => object) => (
    <>
      <TextInput {...text("street")} />
      <SimpleGrid cols={2}>
        <TextInput {...text("city")} />
        <TextInput {...text("state")} />
        <TextInput {...text("zipCode")} />
        <TextInput {...text("country")} />
      </SimpleGrid>
    </>
  );
  switch (section) {
    case "profile":
      return (
        <SectionEditDialog {...props} section={PROFILE} save={update}>
          {({ text }) => (
            <>
              {!individual && <TextInput {...text("companyName")} />}
              <TextInput {...text("industry")} />
              <Textarea {...text("notes")} autosize minRows={2} />
            </>
          )}
        </SectionEditDialog>
      );
    case "contactInfo":
      return (
        <SectionEditDialog {...props} section={CONTACT} save={update}>
          {({ text }) => (
            <SimpleGrid cols={2}>
              <TextInput {...text("primaryEmail")} type="email" />
              <TextInput {...text("secondaryEmail")} type="email" />
              <TextInput {...text("primaryPhone")} type="tel" />
              <TextInput {...text("secondaryPhone")} type="tel" />
              <TextInput {...text("website")} />
            </SimpleGrid>
          )}
        </SectionEditDialog>
      );
    case "billingAddress":
      return (
        <SectionEditDialog {...props} section={BILLING} save={update}>
          {({ text }) => addressFields(text)}
        </SectionEditDialog>
      );
    case "shippingAddress":
      return (
        <SectionEditDialog {...props} section={SHIPPING} save={shipping}>
          {({ text, form, set }) => (
            <>
              <Radio.Group label="Shipping address" value={form.mode} onChange={(mode) => set({ mode })}>
                <Stack gap="xs" mt="xs">
                  <Radio value="none" label="None" />
                  <Radio value="billing" label="Same as billing" />
                  <Radio value="own" label="Its own address" />
                </Stack>
              </Radio.Group>
              {form.mode === "own" && addressFields(text)}
            </>
          )}
        </SectionEditDialog>
      );
    case "preferences":
      return (
        <SectionEditDialog {...props} section={PREFERENCES} save={update}>
          {({ text, check, list }) => (
            <>
              <SimpleGrid cols={2}>
                <MultiSelect {...list("channels")} data={[...COMMUNICATION_CHANNELS]} />
                <TextInput {...text("frequency")} />
                <TextInput {...text("preferredLanguage")} />
                <TextInput {...text("timeZone")} />
              </SimpleGrid>
              <Fieldset legend="Notifications">
                <Stack gap="xs">
                  <Checkbox {...check("notifyEmail")} />
                  <Checkbox {...check("notifySms")} />
                  <Checkbox {...check("notifyPush")} />
                </Stack>
              </Fieldset>
              <Fieldset legend="Consent">
                <Stack gap="xs">
                  <Checkbox {...check("marketingConsent")} />
                  <Checkbox {...check("dataProcessingConsent")} />
                </Stack>
              </Fieldset>
            </>
          )}
        </SectionEditDialog>
      );
  }
}
