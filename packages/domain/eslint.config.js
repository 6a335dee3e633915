import base, { domainRules } from "@clientele/eslint-config";

export default [...base, domainRules];
