import { z } from "zod";

// A missing field reads "is required" rather than "expected string, received undefined".
z.config({
  customError: (issue) => (issue.input === undefined && issue.code === "invalid_type" ? "is required" : undefined),
});
