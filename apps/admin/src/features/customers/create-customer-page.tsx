import { ZCreateCustomerInput } from "@clientele/api/customer-schemas";
import { validatePhone } from "@clientele/domain";
import { CUSTOMER_TYPES, type CustomerType } from "@clientele/domain/customer-types";
import { Alert, Button, Card, Group, List, Select, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";

type Form = {
  type: CustomerType;
  companyName: string;
  firstName: string;
  lastName: string;
  primaryEmail: string;
  primaryPhone: string;
  street: string;
  city: string;
  state: string;
  zipCode: string;
  country: string;
};
const EMPTY: Form = { type: "SmallBusiness", companyName: "", firstName: "", lastName: "", primaryEmail: "", primaryPhone: "", street: "", city: "", state: "", zipCode: "", country: "" };

const inputOf = (f: Form) => ({
  type: f.type,
  ...(f.type === "Individual" ? { firstName: f.firstName, lastName: f.lastName } : { companyName: f.companyName }),
  primaryEmail: f.primaryEmail,
  primaryPhone: f.primaryPhone,
  billingAddress: { street: f.street, city: f.city, state: f.state, zipCode: f.zipCode, country: f.country },
});

/** Field messages keyed like the form ("billingAddress.zipCode" → "zipCode"), from zod or the API's problem. */
const byField = (errors: Record<string, string[]>): Record<string, string> =>
  Object.fromEntries(Object.entries(errors).map(([path, messages]) => [path.replace(/^billingAddress\./, ""), messages.join(", ")]));

export function CreateCustomerPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const navigate = useNavigate();
  const [form, setForm] = useState<Form>(EMPTY);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const create = useMutation({
    ...trpc.customers.create.mutationOptions(),
    onSuccess: () => queryClient.invalidateQueries(trpc.customers.pathFilter()),
  });

  // Live validation with the API's own schema: shapes and sizes here, content rules (email, phone, address) from the API.
  const parsed = ZCreateCustomerInput.safeParse(inputOf(form));
  const local: Record<string, string[]> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) (local[issue.path.join(".")] ??= []).push(issue.message);
  const problem = create.error ? problemOf(create.error) : null;
  const errors = { ...byField(local), ...byField(problem?.fieldErrors ?? {}) };
  const shown = (k: keyof Form) => (submitted || touched.has(k) ? errors[k] : undefined);
  const field = (k: keyof Form, label: string) => ({
    label,
    required: true,
    value: form[k],
    onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value }),
    onBlur: () => setTouched(new Set(touched).add(k)),
    error: shown(k),
  });

  // The domain's own normalizer (libphonenumber-js, as the API runs it): a national number takes the billing country's code.
  const phone = form.primaryPhone.trim() ? validatePhone(form.primaryPhone, form.country || undefined) : null;
  const phoneField = field("primaryPhone", "Phone");
  const phoneProps = {
    ...phoneField,
    onBlur: () => {
      if (phone?.ok && phone.value !== form.primaryPhone) setForm({ ...form, primaryPhone: phone.value });
      phoneField.onBlur();
    },
    error: phoneField.error ?? (phone && !phone.ok && (submitted || touched.has("primaryPhone")) ? phone.message : undefined),
    description: phone?.ok ? (
      <span data-testid="phone-e164">Saved as {phone.value}</span>
    ) : (
      "International (+44 20 7946 0958), or national with the billing country below"
    ),
  };

  const cannot = missing(session?.roles ?? [], "customer:create");
  if (cannot)
    return (
      <Alert color="yellow" title="You cannot create customers">
        {cannot}
      </Alert>
    );

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success) create.mutate({ ...parsed.data, primaryPhone: phone?.ok ? phone.value : parsed.data.primaryPhone });
  };

  const created = create.data;
  if (created)
    return (
      <Stack maw={720}>
        <Alert color="green" title="Customer created">
          {create.data.companyName} is customer {create.data.customerNumber}.
        </Alert>
        {create.data.warnings.length > 0 && (
          <Alert color="yellow" title="Please check" data-testid="create-warnings">
            <List size="sm">
              {create.data.warnings.map((w) => (
                <List.Item key={w}>{w}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        {created.possibleDuplicates.length > 0 && (
          <Alert color="yellow" title="This may be a customer you already have" data-testid="create-duplicates">
            <List size="sm">
              {created.possibleDuplicates.map((d) => (
                <List.Item key={d.id}>
                  <Link to="/customers/$customerId" params={{ customerId: d.id }}>
                    {d.customerNumber} · {d.name}
                  </Link>{" "}
                  (score {d.score})
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Group>
          <Button onClick={() => void navigate({ to: "/customers/$customerId", params: { customerId: created.id } })}>
            Open customer
          </Button>
          <Button
            variant="default"
            onClick={() => {
              create.reset();
              setForm(EMPTY);
              setTouched(new Set());
              setSubmitted(false);
            }}
          >
            Create another
          </Button>
        </Group>
      </Stack>
    );

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="create-title">
      <Stack maw={720}>
        <Title order={1} size="h2" id="create-title">
          New customer
        </Title>
        <Card withBorder>
          <Stack>
            <Select label="Type" data={[...CUSTOMER_TYPES]} value={form.type} onChange={(v) => v && setForm({ ...form, type: v as CustomerType })} allowDeselect={false} />
            {form.type === "Individual" ? (
              <SimpleGrid cols={2}>
                <TextInput {...field("firstName", "First name")} />
                <TextInput {...field("lastName", "Last name")} />
              </SimpleGrid>
            ) : (
              <TextInput {...field("companyName", "Company name")} />
            )}
            <SimpleGrid cols={2}>
              <TextInput {...field("primaryEmail", "Email")} type="email" />
              <TextInput {...phoneProps} type="tel" />
            </SimpleGrid>
          </Stack>
        </Card>
        <Card withBorder component="fieldset" style={{ border: undefined }}>
          <Text component="legend" fw={600}>
            Billing address
          </Text>
          <Stack>
            <TextInput {...field("street", "Street")} />
            <SimpleGrid cols={2}>
              <TextInput {...field("city", "City")} />
              <TextInput {...field("state", "State / region")} />
              <TextInput {...field("zipCode", "Postal code")} />
              <TextInput {...field("country", "Country (ISO code, e.g. GB)")} />
            </SimpleGrid>
          </Stack>
        </Card>
        {problem && (
          <Alert color="red" title="The customer was not created" data-testid="create-problem">
            {problem.message}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Create customer
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
