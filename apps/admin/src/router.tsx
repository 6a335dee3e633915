import { createRootRoute, createRoute, createRouter, lazyRouteComponent, redirect } from "@tanstack/react-router";
import { parseCustomersSearch } from "./features/customers/customers-search";
import { AppShellLayout } from "./features/shell/app-shell";
import { SignInPage } from "./features/sign-in/sign-in-page";
import { authConfig } from "./auth-config";
import { currentSession } from "./session";

const rootRoute = createRootRoute();

// Production signs in at the identity provider (the API's runtime config names it); its pages and
// the OIDC client load only then.
const OidcSignInPage = lazyRouteComponent(() => import("./features/sign-in/oidc-pages"), "OidcSignInPage");
const OidcCallbackPage = lazyRouteComponent(() => import("./features/sign-in/oidc-pages"), "OidcCallbackPage");
const SignInRouteComponent = () => (authConfig().oidc ? <OidcSignInPage /> : <SignInPage />);

type SignInSearch = { next?: string; reason?: "expired" | "signed-out" };
const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-in",
  validateSearch: (search: Record<string, unknown>): SignInSearch => ({
    ...(typeof search.next === "string" ? { next: search.next } : {}),
    ...(search.reason === "expired" || search.reason === "signed-out" ? { reason: search.reason } : {}),
  }),
  component: SignInRouteComponent,
});

/** The identity provider's redirect back (register <origin>/admin/auth/callback at the IdP). */
const oidcCallbackRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/auth/callback",
  component: OidcCallbackPage,
});

/** Where the identity provider's end-session returns (register <origin>/admin/signed-out as the post-logout redirect). */
const signedOutRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/signed-out",
  beforeLoad: () => {
    throw redirect({ to: "/sign-in", search: { reason: "signed-out" } });
  },
});

// Every screen but sign-in needs a session; the API checks the token, this only saves a round of 401s.
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: ({ location }) => {
    if (!currentSession()) throw redirect({ to: "/sign-in", search: { next: location.href } });
  },
  component: AppShellLayout,
});

const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/customers" });
  },
});

export const customersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/customers",
  validateSearch: parseCustomersSearch,
  component: lazyRouteComponent(() => import("./features/customers/customers-page"), "CustomersPage"),
});

export const createCustomerRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/customers/new",
  component: lazyRouteComponent(() => import("./features/customers/create-customer-page"), "CreateCustomerPage"),
});

export const importCustomersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/customers/import",
  component: lazyRouteComponent(() => import("./features/transfer/import-wizard-page"), "ImportWizardPage"),
});

/** `customerId`: the customer whose Contacts tab opened the import; rows that name no customer go to it. */
export const contactImportRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/customers/contacts/import",
  validateSearch: (search: Record<string, unknown>): { customerId?: string } =>
    typeof search.customerId === "string" && search.customerId.length <= 64 ? { customerId: search.customerId } : {},
  component: lazyRouteComponent(() => import("./features/transfer/contact-import-page"), "ContactImportPage"),
});

/** Inactive customers the daily sweep flagged (issue 12); `flag` filters, `page` pages. */
export type ReviewSearch = { flag?: "InactiveRisk" | "Review"; page?: number };
export const reviewRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/customers/review",
  validateSearch: (search: Record<string, unknown>): ReviewSearch => ({
    ...(search.flag === "InactiveRisk" || search.flag === "Review" ? { flag: search.flag } : {}),
    ...(typeof search.page === "number" && Number.isInteger(search.page) && search.page > 1 && search.page <= 100_000 ? { page: search.page } : {}),
  }),
  component: lazyRouteComponent(() => import("./features/value/review-page"), "ReviewPage"),
});

export const customerDetailRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/customers/$customerId",
  component: lazyRouteComponent(() => import("./features/customers/customer-detail-page"), "CustomerDetailPage"),
});

export const mergeCustomerRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/customers/$customerId/merge",
  // `with`: the other customer, when the merge was opened from a suspected duplicate pair.
  validateSearch: (search: Record<string, unknown>): { with?: string } => (typeof search.with === "string" && search.with.length <= 64 ? { with: search.with } : {}),
  component: lazyRouteComponent(() => import("./features/customers/merge-page"), "MergePage"),
});

export const duplicatesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/customers/duplicates",
  validateSearch: (search: Record<string, unknown>): { page?: number } =>
    typeof search.page === "number" && Number.isInteger(search.page) && search.page > 1 && search.page <= 100_000 ? { page: search.page } : {},
  component: lazyRouteComponent(() => import("./features/customers/duplicates-page"), "DuplicatesPage"),
});

export const templatesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings/templates",
  component: lazyRouteComponent(() => import("./features/settings/templates-page"), "TemplatesPage"),
});

export const complaintSettingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings/complaints",
  component: lazyRouteComponent(() => import("./features/settings/complaint-settings-page"), "ComplaintSettingsPage"),
});

export const myTasksRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/tasks",
  component: lazyRouteComponent(() => import("./features/tasks/my-tasks-page"), "MyTasksPage"),
});

export const supportRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/support",
  component: lazyRouteComponent(() => import("./features/complaints/support-page"), "SupportPage"),
});

/** `q`: the words searched (a complaint's "Similar resolutions" link fills it with its subject). */
export type KnowledgeBaseSearch = { q?: string; category?: string; page?: number };
const shortText = (v: unknown) => (typeof v === "string" && v.length > 0 && v.length <= 1000 ? v : undefined);
export const knowledgeBaseRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/support/knowledge-base",
  validateSearch: (search: Record<string, unknown>): KnowledgeBaseSearch => {
    const q = shortText(search.q);
    const category = shortText(search.category);
    const page = typeof search.page === "number" && Number.isInteger(search.page) && search.page > 1 && search.page <= 100_000 ? search.page : undefined;
    return { ...(q ? { q } : {}), ...(category ? { category } : {}), ...(page ? { page } : {}) };
  },
  component: lazyRouteComponent(() => import("./features/complaints/knowledge-base-page"), "KnowledgeBasePage"),
});

export const marketingRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/marketing",
  component: lazyRouteComponent(() => import("./features/testimonials/marketing-page"), "MarketingPage"),
});

const routeTree = rootRoute.addChildren([signInRoute, oidcCallbackRoute, signedOutRoute, appRoute.addChildren([indexRoute, customersRoute, createCustomerRoute, importCustomersRoute, contactImportRoute, reviewRoute, customerDetailRoute, mergeCustomerRoute, duplicatesRoute, templatesRoute, complaintSettingsRoute, myTasksRoute, supportRoute, knowledgeBaseRoute, marketingRoute])]);

export const router = createRouter({ routeTree, basepath: "/admin", defaultPreload: "intent" });

declare module "@tanstack/react-router" {
  // Module augmentation only works with an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface Register {
    router: typeof router;
  }
}
