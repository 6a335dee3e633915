import { CUSTOMER_SEGMENTS, CUSTOMER_STATUSES, CUSTOMER_TYPES } from "@clientele/domain/customer-types";
import type { RouterOutputs } from "@clientele/sdk";
import { Alert, Button, Center, Group, Loader, MultiSelect, Pagination, Paper, Select, Stack, TagsInput, Text, TextInput, Title, Tooltip } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { customersRoute } from "../../router";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { TransferActions } from "../transfer/transfer-actions";
import { StatusBadge } from "./status-badge";
import { formatSort, parseSort, toggleSort, type CustomersSearch } from "./customers-search";

type Customer = RouterOutputs["customers"]["search"]["items"][number];

const col = createColumnHelper<Customer>();
const columns = [
  col.accessor("customerNumber", { id: "customerNumber", header: "Number", size: 130 }),
  col.accessor((c) => c.profile.companyName, { id: "companyName", header: "Name", size: 260 }),
  col.accessor((c) => c.profile.type, { id: "type", header: "Type", size: 130 }),
  col.accessor((c) => c.profile.segment, { id: "segment", header: "Segment", size: 110 }),
  col.accessor((c) => c.contactInfo.primaryEmail, { id: "email", header: "Email", size: 260, enableSorting: false }),
  col.accessor("status", { id: "status", header: "Status", size: 110, cell: (c) => <StatusBadge status={c.getValue()} /> }),
  col.accessor("createdAt", { id: "createdAt", header: "Created", size: 120, cell: (c) => new Date(c.getValue()).toLocaleDateString() }),
];
const ROW_HEIGHT = 41;

export function CustomersPage() {
  const search = customersRoute.useSearch();
  const navigate = useNavigate({ from: "/customers" });
  const trpc = useTRPC();
  const session = useSession();
  const setSearch = (patch: Partial<CustomersSearch>) => void navigate({ search: (prev) => ({ ...prev, page: undefined, ...patch }) });

  // The text box updates the URL once typing pauses, so each keystroke is not a search.
  const [text, setText] = useState(search.q ?? "");
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if ((debounced || undefined) !== search.q) setSearch({ q: debounced || undefined });
    // Only a settled text changes the URL; the URL changing (back button) resets the box below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  useEffect(() => setText(search.q ?? ""), [search.q]);

  const sort = parseSort(search.sort);
  const input = {
    ...(search.q ? { query: search.q } : {}),
    ...(search.type ? { type: search.type } : {}),
    ...(search.segment ? { segment: search.segment } : {}),
    ...(search.status ? { status: search.status } : {}),
    ...(search.tags ? { tags: search.tags } : {}),
    ...(search.sort ? { sort: search.sort.split(",") } : {}),
    page: search.page ?? 1,
    pageSize: search.pageSize ?? 100,
  };
  const result = useQuery({ ...trpc.customers.search.queryOptions(input), placeholderData: keepPreviousData });

  const table = useReactTable({ data: result.data?.items ?? [], columns, getCoreRowModel: getCoreRowModel(), manualSorting: true });
  const scroller = useRef<HTMLDivElement>(null);
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const cannotCreate = missing(session?.roles ?? [], "customer:create");

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Customers
        </Title>
        <Group gap="sm">
          {/* The export's filters default to the list's own. */}
          <TransferActions filters={input} />
          {cannotCreate ? (
            <Tooltip label={cannotCreate}>
              <Button disabled data-disabled-reason={cannotCreate}>
                New customer
              </Button>
            </Tooltip>
          ) : (
            <Button component={Link} to="/customers/new">
              New customer
            </Button>
          )}
        </Group>
      </Group>
      <Group align="flex-end" role="search">
        <TextInput label="Search" placeholder="Name, email, phone, number" value={text} onChange={(e) => setText(e.currentTarget.value)} w={280} />
        <MultiSelect label="Type" data={[...CUSTOMER_TYPES]} value={search.type ?? []} onChange={(v) => setSearch({ type: v.length ? (v as CustomersSearch["type"]) : undefined })} w={200} clearable />
        <MultiSelect label="Segment" data={[...CUSTOMER_SEGMENTS]} value={search.segment ?? []} onChange={(v) => setSearch({ segment: v.length ? (v as CustomersSearch["segment"]) : undefined })} w={200} clearable />
        <MultiSelect label="Status" data={[...CUSTOMER_STATUSES]} value={search.status ?? []} onChange={(v) => setSearch({ status: v.length ? (v as CustomersSearch["status"]) : undefined })} w={200} clearable />
        <TagsInput label="Tags" placeholder="Enter to add" value={search.tags ?? []} onChange={(v) => setSearch({ tags: v.length ? v : undefined })} w={220} clearable maxTags={20} />
        <Select
          label="Page size"
          data={["20", "50", "100"]}
          value={String(search.pageSize ?? 100)}
          onChange={(v) => setSearch({ pageSize: v === "20" ? 20 : v === "50" ? 50 : undefined })}
          w={110}
          allowDeselect={false}
        />
      </Group>
      <Text size="xs" c="dimmed">
        Click a column header to sort by it; Shift-click to add it to the sort.
      </Text>
      {result.error ? (
        <Alert color="red" title="The customers could not be loaded">
          {problemOf(result.error).message}
        </Alert>
      ) : (
        <Paper withBorder>
          <div ref={scroller} style={{ height: "calc(100vh - 330px)", minHeight: 300, overflow: "auto" }} tabIndex={0} role="region" aria-label="Customers table">
            <table className="customers-table" style={{ width: "100%", borderCollapse: "collapse", tableLayout: "fixed" }} aria-busy={result.isFetching} aria-rowcount={result.data?.totalCount ?? -1}>
              <thead style={{ position: "sticky", top: 0, background: "var(--mantine-color-body)", zIndex: 1 }}>
                {table.getHeaderGroups().map((g) => (
                  <tr key={g.id}>
                    {g.headers.map((h) => {
                      const entry = sort.find((s) => s.field === h.column.id);
                      const sortable = h.column.getCanSort();
                      return (
                        <th key={h.id} style={{ width: h.getSize(), textAlign: "left", padding: "8px", borderBottom: "1px solid var(--mantine-color-gray-3)" }} aria-sort={entry ? (entry.desc ? "descending" : "ascending") : "none"}>
                          {sortable ? (
                            <button
                              type="button"
                              style={{ all: "unset", cursor: "pointer", fontWeight: 600 }}
                              onClick={(e) => setSearch({ sort: formatSort(toggleSort(sort, h.column.id, e.shiftKey)) })}
                            >
                              {flexRender(h.column.columnDef.header, h.getContext())}
                              {entry ? ` ${entry.desc ? "▼" : "▲"}${sort.length > 1 ? sort.indexOf(entry) + 1 : ""}` : ""}
                            </button>
                          ) : (
                            flexRender(h.column.columnDef.header, h.getContext())
                          )}
                        </th>
                      );
                    })}
                  </tr>
                ))}
              </thead>
              <tbody>
                {padTop > 0 && (
                  <tr aria-hidden>
                    <td style={{ height: padTop }} colSpan={columns.length} />
                  </tr>
                )}
                {items.map((v) => {
                  const row = rows[v.index]!;
                  return (
                    <tr key={row.id} style={{ height: ROW_HEIGHT, borderBottom: "1px solid var(--mantine-color-gray-2)" }} data-testid="customer-row">
                      {row.getVisibleCells().map((cell) => (
                        <td key={cell.id} style={{ padding: "0 8px", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>
                          {cell.column.id === "companyName" ? (
                            <Link to="/customers/$customerId" params={{ customerId: row.original.id }}>
                              {row.original.profile.companyName}
                            </Link>
                          ) : (
                            flexRender(cell.column.columnDef.cell, cell.getContext())
                          )}
                        </td>
                      ))}
                    </tr>
                  );
                })}
                {padBottom > 0 && (
                  <tr aria-hidden>
                    <td style={{ height: padBottom }} colSpan={columns.length} />
                  </tr>
                )}
              </tbody>
            </table>
            {result.isPending && (
              <Center p="xl">
                <Loader aria-label="Loading customers" />
              </Center>
            )}
            {result.data && result.data.items.length === 0 && (
              <Center p="xl">
                <Text>No customers match these filters.</Text>
              </Center>
            )}
          </div>
        </Paper>
      )}
      {result.data && (
        <Group justify="space-between">
          <Text size="sm" data-testid="customers-total">
            {result.data.totalCount} customers
          </Text>
          <Pagination total={Math.max(1, result.data.totalPages)} value={result.data.page} onChange={(page) => setSearch({ page: page === 1 ? undefined : page })}
            getControlProps={(control) => ({ "aria-label": `${control} page` })}
          />
        </Group>
      )}
    </Stack>
  );
}
