import { Button, Tooltip } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import { lazy, Suspense, useState } from "react";
import { missing } from "../../privileges";
import { useSession } from "../../session";
import { GuardedButton } from "../../ui/guarded-button";

// Loaded on first open, like the customer export dialog: the screens' initial bundles stay as they were.
const ContactExportDialog = lazy(() => import("./contact-export-dialog").then((m) => ({ default: m.ContactExportDialog })));

/**
 * Import contacts and Export contacts, on the customers screen (every customer's) and on a
 * customer's Contacts tab (`customerId`: that customer's), disabled with the privilege matrix's
 * reason for roles without them: the import's procedure needs customer:update, the export's data:export.
 */
export function ContactTransferActions({ customerId, size }: { customerId?: string; size?: "xs" | "sm" }) {
  const roles = useSession()?.roles ?? [];
  const cannotImport = missing(roles, "customer:update");
  const cannotExport = missing(roles, "data:export");
  const [exporting, setExporting] = useState(false);
  return (
    <>
      {cannotImport ? (
        <Tooltip label={cannotImport}>
          <Button variant="light" size={size} disabled data-disabled-reason={cannotImport}>
            Import contacts
          </Button>
        </Tooltip>
      ) : (
        <Button variant="light" size={size} renderRoot={(props) => <Link {...props} to="/customers/contacts/import" search={customerId ? { customerId } : {}} />}>
          Import contacts
        </Button>
      )}
      <GuardedButton size={size} reason={cannotExport} onClick={() => setExporting(true)}>
        Export contacts
      </GuardedButton>
      {exporting && (
        <Suspense fallback={null}>
          <ContactExportDialog opened onClose={() => setExporting(false)} {...(customerId ? { customerId } : {})} />
        </Suspense>
      )}
    </>
  );
}
