import { Button, Tooltip } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import { lazy, Suspense, useState } from "react";
import { missing } from "../../privileges";
import { useSession } from "../../session";
import { GuardedButton } from "../../ui/guarded-button";
import { ContactTransferActions } from "./contact-transfer-actions";
import type { ExportFilters } from "./export-dialog";

// Loaded on first open: the customers screen's initial bundle stays as it was.
const ExportDialog = lazy(() => import("./export-dialog").then((m) => ({ default: m.ExportDialog })));

/** The customers screen's Import and Export actions (customers', then contacts'), disabled with the privilege matrix's reason for roles without them. */
export function TransferActions({ filters }: { filters: ExportFilters }) {
  const session = useSession();
  const roles = session?.roles ?? [];
  // The import's procedures need customer:create (the API's bulkImport), the export's data:export.
  const cannotImport = missing(roles, "customer:create");
  const cannotExport = missing(roles, "data:export");
  const [exporting, setExporting] = useState(false);
  return (
    <>
      {cannotImport ? (
        <Tooltip label={cannotImport}>
          <Button variant="light" disabled data-disabled-reason={cannotImport}>
            Import
          </Button>
        </Tooltip>
      ) : (
        <Button variant="light" component={Link} to="/customers/import">
          Import
        </Button>
      )}
      <GuardedButton reason={cannotExport} onClick={() => setExporting(true)}>
        Export
      </GuardedButton>
      {exporting && (
        <Suspense fallback={null}>
          <ExportDialog opened onClose={() => setExporting(false)} filters={filters} />
        </Suspense>
      )}
      <ContactTransferActions />
    </>
  );
}
