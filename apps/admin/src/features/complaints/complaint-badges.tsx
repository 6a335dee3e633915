import type { RouterOutputs } from "@clientele/sdk";
import { Badge, Table } from "@mantine/core";

export type Complaint = RouterOutputs["complaints"]["get"];

const PRIORITY_COLOR: Record<Complaint["priority"], string> = { Critical: "red", High: "grape", Medium: "indigo", Low: "gray" };
const STATUS_COLOR: Record<Complaint["status"], string> = { New: "blue", InProgress: "violet", Escalated: "red", Resolved: "green", Closed: "gray" };

export const PriorityBadge = ({ priority }: { priority: Complaint["priority"] }) => (
  <Badge variant="light" color={PRIORITY_COLOR[priority]} data-testid="complaint-priority">
    {priority}
  </Badge>
);

export const StatusBadge = ({ status }: { status: Complaint["status"] }) => (
  <Badge variant="light" color={STATUS_COLOR[status]} data-testid="complaint-status">
    {status}
  </Badge>
);

/** A complaint row's subject, priority, status and assignee cells, the same in every complaint table. */
export const ComplaintCells = ({ complaint: c }: { complaint: Pick<Complaint, "subject" | "priority" | "status" | "assignedTo"> }) => (
  <>
    <Table.Td>{c.subject}</Table.Td>
    <Table.Td>
      <PriorityBadge priority={c.priority} />
    </Table.Td>
    <Table.Td>
      <StatusBadge status={c.status} />
    </Table.Td>
    <Table.Td>{c.assignedTo ?? "—"}</Table.Td>
  </>
);
