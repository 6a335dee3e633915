import { can } from "@clientele/domain/authz";
import { Anchor, Group, Tooltip } from "@mantine/core";
import { authConfig } from "../../auth-config";
import type { Session } from "../../session";

/**
 * The header's links to the tools running beside the API (its config.json names them): the local
 * mail and SMS inboxes, and for Admins the queue dashboard. A browser cannot send a bearer header
 * when it opens a page, so the dashboard takes the token once in its address (?token=), trades it
 * for a short HttpOnly cookie and redirects to drop it; request logs record routes, never query strings.
 */
export function ToolLinks({ session }: { session: Session }) {
  const { mailInbox, smsInbox, queues } = authConfig().links;
  const admin = can(session.roles, "ops:queues");
  if (!mailInbox && !smsInbox && !(queues && admin)) return null;
  return (
    <Group gap="sm" component="nav" aria-label="Tools">
      {mailInbox && (
        <Anchor size="sm" href={mailInbox} target="_blank" rel="noreferrer">
          Mail inbox
        </Anchor>
      )}
      {smsInbox && (
        <Anchor size="sm" href={smsInbox} target="_blank" rel="noreferrer">
          SMS inbox
        </Anchor>
      )}
      {queues && admin && (
        <Tooltip label="Opens with your token in the address once: the dashboard swaps it for a 15-minute cookie and removes it from the address." multiline w={260}>
          <Anchor size="sm" href={`${queues}?token=${encodeURIComponent(session.token)}`} target="_blank" rel="noreferrer">
            Queues
          </Anchor>
        </Tooltip>
      )}
    </Group>
  );
}
