import { ringmasterProject } from '../../vitest.shared.js';

// @actions/workflow-parser imports JSON without an import attribute, which plain Node refuses;
// inlining it lets vite transform the import.
export default ringmasterProject({ test: { server: { deps: { inline: [/@actions\/workflow-parser/] } } } });
