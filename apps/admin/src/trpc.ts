import { createClient, type AppRouter } from "@clientele/sdk";
import { QueryCache, QueryClient, MutationCache } from "@tanstack/react-query";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { problemOf } from "./problem";
import { currentSession, expireSession } from "./session";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

/** The SDK's client on this origin (the API serves the app, and Vite proxies /trpc in dev). */
export const createTrpcClient = () => createClient({ url: window.location.origin, getToken: () => currentSession()?.token });

// A 401 means the token expired or was revoked: sign in again and come back, rather than an error on every panel.
const onError = (error: unknown) => {
  if (problemOf(error).status === 401) expireSession();
};

export const createQueryClient = () =>
  new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // 4xx answers do not change on retry.
        retry: (count, error) => {
          const status = problemOf(error).status;
          return (status === 0 || status >= 500) && count < 2;
        },
      },
    },
  });
