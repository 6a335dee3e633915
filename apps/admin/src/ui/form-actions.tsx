import { Button, Group, type ButtonProps } from "@mantine/core";
import type { ReactNode } from "react";

/** A form's footer: Cancel, and the submit button that shows the mutation is pending. */
export function FormActions({ onCancel, pending, children, ...submitProps }: Omit<ButtonProps, "type" | "loading"> & { onCancel: () => void; pending: boolean; children: ReactNode }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button {...submitProps} type="submit" loading={pending}>
        {children}
      </Button>
    </Group>
  );
}
