import base from "@clientele/eslint-config";

export default base;
