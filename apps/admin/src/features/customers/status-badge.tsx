import { Badge, type BadgeProps } from "@mantine/core";

// Filled on dark shades: white text on them passes WCAG AA contrast, the light variants do not.
const COLORS: Record<string, string> = { Active: "#1b5e20", Inactive: "#495057", Suspended: "#a51d1d", Archived: "#343a40" };

export function StatusBadge({ status, ...props }: { status: string } & BadgeProps) {
  return (
    <Badge variant="filled" color={COLORS[status] ?? "#495057"} {...props}>
      {status}
    </Badge>
  );
}
