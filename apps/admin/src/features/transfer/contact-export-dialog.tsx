import type { RouterInputs } from "@clientele/sdk";
import { Checkbox, TagsInput, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { problemOf } from "../../problem";
import { useTRPC } from "../../trpc";
import { ExportDialogFrame, ExportFormat, type Format } from "./export-progress";

type Filters = NonNullable<RouterInputs["contactTransfer"]["export"]["filters"]>;

/**
 * Export contacts: the filters the API takes (one customer's, or every customer's; with tags) and
 * the format. The file holds the API's default contact columns.
 */
export function ContactExportDialog({ opened, onClose, customerId }: { opened: boolean; onClose: () => void; customerId?: string }) {
  const trpc = useTRPC();
  const [onlyThisCustomer, setOnlyThisCustomer] = useState(customerId !== undefined);
  const [tags, setTags] = useState<string[]>([]);
  const [format, setFormat] = useState<Format>("CSV");
  const submit = useMutation(trpc.contactTransfer.export.mutationOptions());
  const problem = submit.error ? problemOf(submit.error) : null;
  const err = (key: string) => problem?.fieldErrors[key]?.join(", ");

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const filters: Filters = {
      ...(customerId && onlyThisCustomer ? { customerIds: [customerId] } : {}),
      ...(tags.length ? { tags } : {}),
    };
    submit.mutate({ format, filters });
  };

  return (
    <ExportDialogFrame title="Export contacts" kind="Contact" opened={opened} onClose={onClose} onSubmit={onSubmit} submitted={submit.data} onAgain={() => submit.reset()} pending={submit.isPending} problem={problem}>
      {customerId ? (
        <Checkbox label="Only this customer's contacts" checked={onlyThisCustomer} onChange={(e) => setOnlyThisCustomer(e.currentTarget.checked)} error={err("filters.customerIds")} />
      ) : (
        <Text size="sm">Exports the active contacts of every customer; name tags to export only contacts with one of them.</Text>
      )}
      <TagsInput label="Contact tags" placeholder="Enter to add" value={tags} onChange={setTags} clearable clearButtonProps={{ "aria-label": "Clear tags" }} error={err("filters.tags")} />
      <ExportFormat value={format} onChange={setFormat} />
    </ExportDialogFrame>
  );
}
