import { createTheme, Modal, NavLink, type CSSVariablesResolver } from "@mantine/core";

/**
 * Mantine's defaults tuned to WCAG AA contrast (axe runs on every screen in the e2e tests): darker
 * shades for filled and light variants, and darker dimmed text.
 */
export const theme = createTheme({
  primaryShade: { light: 8, dark: 6 },
  components: {
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close" } } }),
    NavLink: NavLink.extend({ defaultProps: { variant: "filled" } }),
  },
});

export const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
    // Text of the light variants (alerts, badges) on their tinted backgrounds.
    "--mantine-color-green-light-color": "#1b5e20",
    "--mantine-color-yellow-light-color": "#6b4500",
    "--mantine-color-red-light-color": "#a51d1d",
    "--mantine-color-gray-light-color": "#343a40",
    "--mantine-color-blue-light-color": "var(--mantine-color-blue-9)",
  },
  dark: {},
});
