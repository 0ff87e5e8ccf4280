import { ringmasterProject } from '../../vitest.shared.js';

// @actions/workflow-parser imports JSON without an import attribute: vitest must transform it.
export default ringmasterProject({ test: { server: { deps: { inline: [/@actions\/workflow-parser/] } } } });
