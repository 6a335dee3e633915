import { Button, Tooltip, type ButtonProps } from "@mantine/core";
import type { ReactNode } from "react";

/** A button the role may lack: disabled with the reason (tooltip and data-disabled-reason) instead of failing with a 403. */
export function GuardedButton({ reason, children, onClick, ...props }: ButtonProps & { reason: string | null; children: ReactNode; onClick: () => void }) {
  if (reason)
    return (
      <Tooltip label={reason}>
        <Button variant="light" {...props} disabled data-disabled-reason={reason}>
          {children}
        </Button>
      </Tooltip>
    );
  return (
    <Button variant="light" {...props} onClick={onClick}>
      {children}
    </Button>
  );
}
