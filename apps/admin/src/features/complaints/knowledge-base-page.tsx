import { ZKnowledgeBaseInput } from "@clientele/api/complaint-schemas";
import { Alert, Badge, Button, Group, Pagination, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { missing } from "../../privileges";
import { problemOf } from "../../problem";
import { knowledgeBaseRoute, type KnowledgeBaseSearch } from "../../router";
import { useSession } from "../../session";
import { useTRPC } from "../../trpc";
import { fieldErrors } from "../../ui/field-errors";
import { ListStatus } from "../../ui/list-status";
import { TableHead } from "../../ui/table-head";

const PAGE_SIZE = 20;

/**
 * How the tenant's resolved complaints were resolved, searched by words of their subject and
 * resolution (any word may match, best match first); without words, the newest resolutions.
 */
export function KnowledgeBasePage() {
  const search = knowledgeBaseRoute.useSearch();
  const cannot = missing(useSession()?.roles ?? [], "complaint:manage");
  return (
    <Stack>
      <Title order={1} size="h2">
        Knowledge base
      </Title>
      {cannot ? (
        <Alert color="yellow" title="The knowledge base is for complaint handlers">
          {cannot}
        </Alert>
      ) : (
        <>
          <Text size="sm" c="dimmed">
            How past complaints were resolved. <Link to="/support">Back to the complaints dashboard</Link>
          </Text>
          {/* Keyed on the URL: a "Similar resolutions" link or the back button refills the form. */}
          <Results key={`${search.q ?? ""}\n${search.category ?? ""}`} search={search} />
        </>
      )}
    </Stack>
  );
}

function Results({ search }: { search: KnowledgeBaseSearch }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [words, setWords] = useState(search.q ?? "");
  const [category, setCategory] = useState(search.category ?? "");
  const [submitted, setSubmitted] = useState(false);
  const input = { query: search.q, category: search.category, page: search.page ?? 1, pageSize: PAGE_SIZE };
  const urlValid = ZKnowledgeBaseInput.safeParse(input).success;
  const results = useQuery({ ...trpc.complaints.knowledgeBase.queryOptions(input), enabled: urlValid });
  const form = { query: words.trim() || undefined, category: category.trim() || undefined };
  const parsed = ZKnowledgeBaseInput.safeParse(form);
  // Local messages once searched, or at once when the URL itself asks for something the API refuses.
  const errors = fieldErrors(parsed, results.error ? problemOf(results.error) : null, { query: search.q, category: search.category }, form, submitted || !urlValid);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!parsed.success) return;
    void navigate({ to: "/support/knowledge-base", search: { ...(form.query ? { q: form.query } : {}), ...(form.category ? { category: form.category } : {}) } });
  };
  const data = results.data;
  const { page: _page, ...withoutPage } = search;
  return (
    <>
      <form onSubmit={submit} role="search" aria-label="Search the knowledge base" noValidate>
        <Group align="flex-start">
          <TextInput
            label="Words"
            description="Of the subject or resolution; any may match, best match first"
            value={words}
            onChange={(e) => setWords(e.currentTarget.value)}
            error={errors.query}
            w={420}
          />
          <TextInput label="Category" description="Exactly as on the complaints" value={category} onChange={(e) => setCategory(e.currentTarget.value)} error={errors.category} />
          <Button type="submit" mt={46}>
            Search
          </Button>
        </Group>
      </form>
      {urlValid && (
        <ListStatus
          query={results}
          loadingLabel="Searching the knowledge base"
          errorTitle="The knowledge base could not be searched"
          isEmpty={data?.items.length === 0}
          emptyText={search.q || search.category ? "No resolved complaint matches. Try other or fewer words." : "No complaint has been resolved yet."}
        />
      )}
      {data && data.items.length > 0 && (
        <>
          <Text size="sm" data-testid="kb-count">
            {data.totalCount === 1 ? "1 resolution" : `${data.totalCount} resolutions`}
            {search.q ? `, best match first` : ", newest first"}
          </Text>
          <Table striped aria-label="Resolutions" verticalSpacing="sm">
            <TableHead columns={["Category", "Subject", "Resolution", "Resolved"]} />
            <Table.Tbody>
              {data.items.map((r) => (
                <Table.Tr key={r.complaintId}>
                  <Table.Td>{r.category ? <Badge variant="light">{r.category}</Badge> : "—"}</Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {r.subject}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {r.complaintNumber}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                      {r.resolution}
                    </Text>
                    {r.compensationOffered && <Text size="sm">Compensation: {r.compensationOffered}</Text>}
                    {r.customerSatisfied !== null && (
                      <Text size="xs" c="dimmed">
                        Customer satisfied: {r.customerSatisfied ? "yes" : "no"}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{r.resolvedAt ? new Date(r.resolvedAt).toLocaleDateString() : "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {data.totalPages > 1 && (
            <Pagination
              total={data.totalPages}
              value={data.page}
              onChange={(p) => void navigate({ to: "/support/knowledge-base", search: { ...withoutPage, ...(p === 1 ? {} : { page: p }) } })}
              getControlProps={(control) => ({ "aria-label": `${control} page` })}
            />
          )}
        </>
      )}
    </>
  );
}
