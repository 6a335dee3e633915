import "@mantine/core/styles.css";
import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { authConfig, loadAuthConfig } from "./auth-config";
import { router } from "./router";
import { currentSession } from "./session";
import { cssVariables, theme } from "./theme";
import { createQueryClient, createTrpcClient, TRPCProvider } from "./trpc";

// Which sign-in this deployment uses comes from the API (one build for every environment).
await loadAuthConfig();
if (authConfig().oidc && currentSession()) void import("./features/sign-in/oidc").then((oidc) => oidc.keepRenewed());

const queryClient = createQueryClient();
const trpcClient = createTrpcClient();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <RouterProvider router={router} />
        </TRPCProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
