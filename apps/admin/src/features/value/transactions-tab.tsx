import { ZRecordTransactionInput } from "@clientele/api/value-schemas";
import { TRANSACTION_CATEGORIES, TRANSACTION_KINDS, TRANSACTION_STATUSES } from "@clientele/domain";
import { Alert, Badge, Button, Group, Modal, Pagination, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { isoOf, localOf } from "../../ui/datetime-local";
import { fieldErrors } from "../../ui/field-errors";
import { FormActions } from "../../ui/form-actions";
import { ListStatus } from "../../ui/list-status";
import { Notice } from "../../ui/notice";
import { TableHead } from "../../ui/table-head";
import { displayMoney } from "./money-display";
import { invalidateCustomerValue, newIdempotencyKey } from "./value-queries";

const PAGE_SIZE = 20;

/** The customer's transactions, newest first, paged; recording one for roles with transaction:record. */
export function TransactionsTab({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const roles = useSession()?.roles ?? [];
  const [page, setPage] = useState(1);
  const [recording, setRecording] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery(trpc.transactions.list.queryOptions({ customerId, page, pageSize: PAGE_SIZE }));
  const cannotRecord = missing(roles, "transaction:record");
  const items = list.data?.items ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          Transactions
        </Title>
        {cannotRecord === null && (
          <Button variant="light" onClick={() => setRecording(true)}>
            Record a transaction
          </Button>
        )}
      </Group>
      <Notice message={notice} onDismiss={() => setNotice(null)} data-testid="transaction-notice" />
      <ListStatus query={list} loadingLabel="Loading transactions" errorTitle="The transactions could not be loaded" isEmpty={list.data?.items.length === 0} emptyText="No transactions recorded for this customer." />
      {items.length > 0 && (
        <Table striped aria-label="Transactions of this customer" data-testid="transactions">
          <TableHead columns={["Occurred", "Kind", "Category", "Status", "Amount", "In base currency", "Reference", "Source"]} />
          <Table.Tbody>
            {items.map((t) => (
              <Table.Tr key={t.id} data-testid="transaction-row">
                <Table.Td>{new Date(t.occurredAt).toLocaleString()}</Table.Td>
                <Table.Td>{t.kind}</Table.Td>
                <Table.Td>{t.category}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {t.status}
                    {t.late && (
                      <Badge size="xs" variant="light" color="red">
                        late
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{displayMoney(t.amount, t.currency)}</Table.Td>
                <Table.Td>{displayMoney(t.baseAmount)}</Table.Td>
                <Table.Td>{t.externalReference ?? "—"}</Table.Td>
                <Table.Td>{t.source}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {list.data && list.data.totalPages > 1 && (
        <Group justify="space-between">
          <Text size="sm">{list.data.totalCount} transactions</Text>
          <Pagination total={list.data.totalPages} value={page} onChange={setPage} aria-label="Transaction pages" getControlProps={(c) => ({ "aria-label": `${c} page` })} />
        </Group>
      )}
      {recording && (
        <RecordTransactionDialog
          customerId={customerId}
          onClose={() => setRecording(false)}
          onRecorded={(message) => {
            setRecording(false);
            setPage(1);
            setNotice(message);
          }}
        />
      )}
    </Stack>
  );
}

type Form = { kind: string; category: string; status: string; amount: string; currency: string; exchangeRate: string; occurredAt: string; dueAt: string; externalReference: string };
const FIELDS = ["kind", "category", "status", "amount", "currency", "exchangeRate", "occurredAt", "dueAt", "externalReference", "idempotencyKey"] as const;

/**
 * Records a payment, refund or order. The amount stays the string typed (checked with the API's own
 * schema, never turned into a number); the idempotency key is made once when the dialog opens, so a
 * double click or a resubmit after a lost answer records once.
 */
function RecordTransactionDialog({ customerId, onClose, onRecorded }: { customerId: string; onClose: () => void; onRecorded: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [form, setForm] = useState<Form>({ kind: "Payment", category: "Invoice", status: "Paid", amount: "", currency: "USD", exchangeRate: "", occurredAt: localOf(new Date().toISOString()), dueAt: "", externalReference: "" });
  const [submitted, setSubmitted] = useState(false);
  const sending = useRef(false);
  const record = useMutation({
    ...trpc.transactions.record.mutationOptions(),
    onSuccess: async (r) => {
      await invalidateCustomerValue(queryClient, trpc);
      const moved = r.segmentChange ? `; segment ${r.segmentChange.from} → ${r.segmentChange.to}` : "";
      onRecorded(`${r.replayed ? "Already recorded" : "Recorded"}: ${r.transaction.kind} of ${displayMoney(r.transaction.amount, r.transaction.currency)}. Lifetime value now ${displayMoney(r.lifetimeValue)}${moved}.`);
    },
  });
  const input = {
    customerId,
    kind: form.kind,
    category: form.category,
    status: form.status,
    amount: form.amount.trim(),
    currency: form.currency.trim().toUpperCase(),
    exchangeRate: form.exchangeRate.trim() || null,
    occurredAt: isoOf(form.occurredAt),
    dueAt: form.dueAt ? isoOf(form.dueAt) : null,
    externalReference: form.externalReference.trim() || null,
    idempotencyKey,
  };
  const parsed = ZRecordTransactionInput.safeParse(input);
  const problem = record.error ? problemOf(record.error) : null;
  const errors = fieldErrors(parsed, problem, record.variables, input, submitted);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    // A second click before React re-renders still sees no pending state: the ref holds it back
    // (and the same key would make the API apply it once anyway). The raw strings go out.
    if (!parsed.success || sending.current) return;
    sending.current = true;
    record.mutate({ ...input, kind: parsed.data.kind, category: parsed.data.category, status: parsed.data.status }, {
      onSettled: () => {
        sending.current = false;
      },
    });
  };
  const set = (k: keyof Form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  const choose = (k: "kind" | "category" | "status") => (v: string | null) => v && setForm({ ...form, [k]: v });
  return (
    <Modal opened onClose={onClose} title="Record a transaction" size="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <SimpleGrid cols={3}>
            <Select label="Kind" data={[...TRANSACTION_KINDS]} value={form.kind} allowDeselect={false} onChange={choose("kind")} error={errors.kind} />
            <Select label="Category" data={[...TRANSACTION_CATEGORIES]} value={form.category} allowDeselect={false} onChange={choose("category")} error={errors.category} />
            <Select label="Status" data={[...TRANSACTION_STATUSES]} value={form.status} allowDeselect={false} onChange={choose("status")} error={errors.status} />
          </SimpleGrid>
          <SimpleGrid cols={3}>
            <TextInput label="Amount" description="e.g. 1234.50 (a refund is a positive amount)" required inputMode="decimal" value={form.amount} onChange={set("amount")} error={errors.amount} />
            <TextInput label="Currency" description="ISO code" required maxLength={3} value={form.currency} onChange={set("currency")} error={errors.currency} />
            <TextInput label="Exchange rate" description="to the base currency; blank: the settings' table" inputMode="decimal" value={form.exchangeRate} onChange={set("exchangeRate")} error={errors.exchangeRate} />
          </SimpleGrid>
          <SimpleGrid cols={3}>
            <TextInput label="Occurred at" type="datetime-local" required value={form.occurredAt} onChange={set("occurredAt")} error={errors.occurredAt} />
            <TextInput label="Due at" description="a payment after it counts as late" type="datetime-local" value={form.dueAt} onChange={set("dueAt")} error={errors.dueAt} />
            <TextInput label="External reference" description="the id in the billing or ticketing system" value={form.externalReference} onChange={set("externalReference")} error={errors.externalReference} />
          </SimpleGrid>
          {problem && !FIELDS.some((k) => problem.fieldErrors[k]) && (
            <Alert color="red" data-testid="record-transaction-problem">
              {problem.message}
            </Alert>
          )}
          {errors.idempotencyKey && (
            <Alert color="red" data-testid="record-transaction-problem">
              Idempotency key: {errors.idempotencyKey}
            </Alert>
          )}
          <FormActions onCancel={onClose} pending={record.isPending}>
            Record transaction
          </FormActions>
        </Stack>
      </form>
    </Modal>
  );
}
