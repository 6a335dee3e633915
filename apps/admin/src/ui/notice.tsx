import { Alert, type AlertProps } from "@mantine/core";

/** A mutation's success message, dismissible; nothing while there is none. */
export function Notice({ message, onDismiss, ...props }: Omit<AlertProps, "children" | "onClose"> & { message: string | null; onDismiss: () => void; "data-testid"?: string }) {
  if (!message) return null;
  return (
    <Alert color="green" {...props} withCloseButton closeButtonLabel="Dismiss" onClose={onDismiss}>
      {message}
    </Alert>
  );
}
